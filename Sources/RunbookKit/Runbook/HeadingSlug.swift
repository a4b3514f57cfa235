import Foundation

/// GitHub's anchors for headings, and the step ids derived from them.
public enum HeadingSlug {
    /// GitHub's rule: lower-case, drop everything but letters, digits, spaces, `-` and `_`, spaces become `-`.
    /// `Check Service Status` → `check-service-status`; `1. Pod Startup Failures` → `1-pod-startup-failures`.
    public static func anchor(for heading: String) -> String {
        ASCIIText.isASCII(heading) ? asciiAnchor(for: heading) : anchorByCharacters(for: heading)
    }

    /// `anchor(for:)` for ASCII: a Character is a byte, and letters and digits are A–Z, a–z, 0–9.
    static func asciiAnchor(for heading: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(heading.utf8.count)
        for byte in heading.utf8 {
            switch byte {
            case UInt8(ascii: " "): bytes.append(UInt8(ascii: "-"))
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): bytes.append(byte + 32)
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"),
                UInt8(ascii: "_"):
                bytes.append(byte)
            default: break
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `anchor(for:)` by Characters, for any text.
    static func anchorByCharacters(for heading: String) -> String {
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
        if ASCIIText.isASCII(heading) { return asciiStepID(heading: heading, maximumLength: maximumLength) }
        return stepIDByCharacters(anchor: anchor(for: heading), maximumLength: maximumLength)
    }

    /// `stepID` for an ASCII heading, on bytes, in one pass: the anchor's mapping (`asciiAnchor`) and the
    /// collapsing of `-` together.
    static func asciiStepID(heading: String, maximumLength: Int) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(heading.utf8.count)
        for byte in heading.utf8 {
            let mapped: UInt8
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "-"): mapped = UInt8(ascii: "-")
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): mapped = byte + 32
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
                mapped = byte
            default: continue
            }
            if mapped == UInt8(ascii: "-"), bytes.isEmpty || bytes.last == UInt8(ascii: "-") { continue }
            bytes.append(mapped)
        }
        while bytes.last == UInt8(ascii: "-") { bytes.removeLast() }
        if bytes.count > maximumLength {
            let cut = bytes.prefix(maximumLength + 1)
            bytes = Array(cut.lastIndex(of: UInt8(ascii: "-")).map { cut[..<$0] } ?? cut.prefix(maximumLength))
        }
        return bytes.isEmpty ? "step" : String(decoding: bytes, as: UTF8.self)
    }

    /// `stepID` from any anchor, by Characters.
    static func stepIDByCharacters(anchor: String, maximumLength: Int) -> String {
        var result = ""
        for character in anchor {
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
