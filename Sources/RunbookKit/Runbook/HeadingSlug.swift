import Foundation

/// GitHub's anchors for headings, and the step ids derived from them.
public enum HeadingSlug {
    /// GitHub's rule: lower-case, drop everything but letters, digits, spaces, `-` and `_`, spaces become `-`.
    /// `Check Service Status` → `check-service-status`; `1. Pod Startup Failures` → `1-pod-startup-failures`.
    public static func anchor(for heading: String) -> String {
        var result = ""
        result.reserveCapacity(heading.utf8.count)
        for character in heading.lowercased() {
            if character == " " {
                result.append("-")
            } else if character == "-" || character == "_" || character.isLetter || character.isNumber {
                result.append(character)
            }
        }
        return result
    }

    /// A step id from a heading: the anchor with runs of `-` collapsed and no `-` at either end; `step` if empty.
    /// Longer than `maximumLength` characters, it is cut at a word boundary (task items can be sentences).
    public static func stepID(for heading: String, maximumLength: Int = .max) -> String {
        var result = ""
        for character in anchor(for: heading) {
            if character == "-", result.isEmpty || result.last == "-" { continue }
            result.append(character)
        }
        while result.last == "-" { result.removeLast() }
        if result.count > maximumLength {
            let cut = result.prefix(maximumLength + 1)
            result = String(cut.lastIndex(of: "-").map { cut[..<$0] } ?? cut.prefix(maximumLength))
        }
        return result.isEmpty ? "step" : result
    }

    /// Anchors for headings in document order, numbered the way GitHub does for repeats: `faq`, `faq-1`, `faq-2`.
    public struct Uniquer {
        private var counts: [String: Int] = [:]
        public init() {}

        public mutating func anchor(for heading: String) -> String {
            let base = HeadingSlug.anchor(for: heading)
            if let count = counts[base] {
                counts[base] = count + 1
                return "\(base)-\(count)"
            }
            counts[base] = 1
            return base
        }
    }
}
