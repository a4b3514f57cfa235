/// Control characters a terminal acts on instead of showing: C0 controls other than tab and newline, and DEL.
///
/// `ESC [2K` erases a line and `CR` returns to its start, so a command holding them can show one thing and run
/// another. The parser refuses them in steps; whatever shows a command or an answer (the step view, `show`,
/// `transcript`) passes it through `visible(_:)` first.
public enum ControlCharacters {
    /// Whether `byte` is a C0 control other than tab and newline, or DEL.
    @inline(__always)
    public static func isHidden(_ byte: UInt8) -> Bool {
        (byte < 0x20 && byte != 0x09 && byte != 0x0A) || byte == 0x7F
    }

    /// The UTF-8 offset of the first such byte in `text`, if any. (Every one is ASCII, so never part of a longer
    /// UTF-8 sequence.)
    public static func firstOffset(in text: some StringProtocol) -> Int? {
        let contiguous = text.utf8.withContiguousStorageIfAvailable { bytes in bytes.firstIndex(where: isHidden) }
        if let contiguous { return contiguous }
        return text.utf8.firstIndex(where: isHidden).map { text.utf8.distance(from: text.utf8.startIndex, to: $0) }
    }

    /// The caret notation of a hidden byte: `^[` for ESC, `^M` for CR, `^?` for DEL.
    public static func caret(_ byte: UInt8) -> String {
        byte == 0x7F ? "^?" : "^" + String(UnicodeScalar(byte + 0x40))
    }

    /// `text` with every hidden byte written in caret notation, so it is seen rather than obeyed.
    public static func visible(_ text: String) -> String {
        guard text.utf8.contains(where: isHidden) else { return text }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count + 8)
        for byte in text.utf8 {
            if isHidden(byte) {
                bytes.append(UInt8(ascii: "^"))
                bytes.append(byte == 0x7F ? UInt8(ascii: "?") : byte + 0x40)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `text` for a place that shows one line (a banner, a title, a table cell, an event's summary): each line
    /// break shown as ` ⏎ `, so the text cannot add a line that looks like the tool's own, and every other hidden
    /// byte in caret notation (`visible(_:)`).
    public static func oneLine(_ text: String) -> String {
        guard text.utf8.contains(where: { isHidden($0) || $0 == 0x0A }) else { return text }
        return visible(text.replacingOccurrences(of: "\n", with: " ⏎ "))
    }
}
