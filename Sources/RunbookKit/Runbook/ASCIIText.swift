import Foundation

/// Byte-level fast paths for text that is plain ASCII.
///
/// The shell scanners were written over Swift Characters, which is exact but slow: every step grapheme-breaks
/// its command several times. For ASCII without CR a Character is exactly one byte, so a byte scanner gives
/// the same answer; for anything else (a CR LF pair is one Character, a combining mark joins the character
/// before it) the scanners keep their Character-based reading.
enum ASCIIText {
    /// The bytes of `text` split at newlines, or nil when `text` has a non-ASCII byte or a CR.
    static func lines(_ text: String, omittingEmpty: Bool = true) -> [ArraySlice<UInt8>]? {
        let bytes = Array(text.utf8)
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        for index in bytes.indices {
            let byte = bytes[index]
            if byte >= 0x80 || byte == UInt8(ascii: "\r") { return nil }
            if byte == UInt8(ascii: "\n") {
                if !omittingEmpty || index > start { lines.append(bytes[start..<index]) }
                start = index + 1
            }
        }
        if !omittingEmpty || bytes.count > start { lines.append(bytes[start..<bytes.count]) }
        return lines
    }

    /// Foundation's `text.contains(needle)` (a `range(of:)` search, slow on Linux), on bytes when `text` is ASCII.
    static func contains(_ text: String, _ needle: String) -> Bool {
        guard isASCII(text), isASCII(needle) else { return text.contains(needle) }
        let haystack = text.utf8
        let pattern = Array(needle.utf8)
        guard let first = pattern.first else { return text.contains(needle) }
        var index = haystack.startIndex
        while let found = haystack[index...].firstIndex(of: first) {
            if haystack[found...].starts(with: pattern) { return true }
            index = haystack.index(after: found)
        }
        return false
    }

    /// `text.trimmingCharacters(in: .whitespaces)`; for ASCII (where `.whitespaces` is space and tab) on bytes.
    static func trimmingSpacesAndTabs(_ text: Substring) -> String {
        guard isASCII(text) else { return text.trimmingCharacters(in: .whitespaces) }
        let bytes = text.utf8
        func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let first = bytes.firstIndex(where: { !isBlank($0) }) else { return "" }
        let last = bytes.lastIndex(where: { !isBlank($0) })!
        return String(text[first...last])
    }

    /// Whether ASCII `text` has a character `Character.isWhitespace` accepts (tab to CR, and space).
    static func containsASCIIWhitespace(_ text: String) -> Bool {
        text.utf8.contains { ($0 >= 0x09 && $0 <= 0x0D) || $0 == 0x20 }
    }

    /// Whether every byte of `text` is ASCII; eight bytes at a time when the text is stored contiguously.
    static func isASCII(_ text: some StringProtocol) -> Bool {
        let contiguous = text.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            guard let base = bytes.baseAddress else { return true }
            var index = 0
            while index + 8 <= bytes.count {
                if UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 != 0 {
                    return false
                }
                index += 8
            }
            while index < bytes.count {
                if base[index] >= 0x80 { return false }
                index += 1
            }
            return true
        }
        return contiguous ?? text.utf8.allSatisfy { $0 < 0x80 }
    }

    /// `caseInsensitiveCompare(_:) == .orderedSame`, without Foundation when both sides are ASCII (then case
    /// folding is just A–Z to a–z).
    static func equalIgnoringCase(_ text: some StringProtocol, _ other: some StringProtocol) -> Bool {
        guard isASCII(text), isASCII(other) else {
            return text.caseInsensitiveCompare(other) == .orderedSame
        }
        func folded(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte + 32 : byte }
        return text.utf8.count == other.utf8.count
            && zip(text.utf8, other.utf8).allSatisfy { folded($0) == folded($1) }
    }

    /// `text.trimmingCharacters(in: .whitespaces)`, on bytes when `text` is ASCII.
    static func trimmingSpacesAndTabs(_ text: String) -> String {
        trimmingSpacesAndTabs(text[...])
    }
}
