import Foundation

/// Turns recorded terminal output into plain text for documents: lossy UTF-8 decoding, escape sequences and
/// control characters removed, carriage-return overwrites resolved.
public enum TerminalText {
    /// Decodes bytes as UTF-8, replacing invalid sequences with U+FFFD so that the damage stays visible.
    public static func decode(_ data: Data) -> (text: String, isValidUTF8: Bool) {
        if let text = String(validating: data, as: UTF8.self) { return (text, true) }
        return (String(decoding: data, as: UTF8.self), false)
    }

    /// `text` without escape sequences and without control characters other than newline and tab
    /// (`ANSIText.strip`). A carriage return inside a line keeps only what was written after it, as a terminal
    /// would show a progress bar at the end.
    public static func plain(_ text: String) -> String {
        ANSIText.strip(text, carriageReturn: .overwrite)
    }

    /// Whether the UTF-8 of `text` holds `byte` (found with `memchr` in its contiguous storage).
    static func contains(_ byte: UInt8, in text: String) -> Bool {
        var text = text
        return text.withUTF8 { utf8 in
            guard let base = utf8.baseAddress, !utf8.isEmpty else { return false }
            return memchr(base, Int32(byte), utf8.count) != nil
        }
    }
}
