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

    /// Whether every byte of `text` is ASCII.
    static func isASCII(_ text: some StringProtocol) -> Bool {
        text.utf8.allSatisfy { $0 < 0x80 }
    }
}
