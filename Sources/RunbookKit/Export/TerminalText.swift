import Foundation

/// Turns recorded terminal output into plain text for documents: lossy UTF-8 decoding, escape sequences and
/// control characters removed, carriage-return overwrites resolved.
public enum TerminalText {
    /// Decodes bytes as UTF-8, replacing invalid sequences with U+FFFD so that the damage stays visible.
    public static func decode(_ data: Data) -> (text: String, isValidUTF8: Bool) {
        if let text = String(validating: data, as: UTF8.self) { return (text, true) }
        return (String(decoding: data, as: UTF8.self), false)
    }

    /// `text` without ANSI/VT escape sequences (colours, cursor movement, OSC titles) and without control
    /// characters other than newline and tab. A carriage return inside a line keeps only what was written after
    /// it, as a terminal would show a progress bar at the end.
    public static func plain(_ text: String) -> String {
        if !needsCleaning(text) { return text }
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var line = String.UnicodeScalarView()
        var index = 0
        func flushLine() {
            out.append(contentsOf: line)
            line.removeAll()
        }
        while index < scalars.count {
            let scalar = scalars[index]
            switch scalar.value {
            case 0x1B:
                index = skipEscape(scalars, from: index)
                continue
            case 0x9B:  // 8-bit CSI
                index = skipCSI(scalars, from: index + 1)
                continue
            case 0x0A:
                line.append(scalar)
                flushLine()
            case 0x0D:
                // CR LF ends the line; a lone CR starts overwriting it.
                if index + 1 < scalars.count, scalars[index + 1].value == 0x0A {
                    break
                }
                line.removeAll()
            case 0x09:
                line.append(scalar)
            case 0x08:  // backspace
                if !line.isEmpty { line.removeLast() }
            case 0x00..<0x20, 0x7F, 0x80..<0xA0:
                break
            default:
                line.append(scalar)
            }
            index += 1
        }
        flushLine()
        return String(out)
    }

    /// Whether `text` holds anything `plain` removes or changes: a control character other than newline and tab
    /// (ESC, CR, backspace, DEL…) or a C1 control (U+0080–U+009F, encoded as C2 80–C2 9F). Most text holds none,
    /// and a timeline or replay of a large incident cleans a line per event.
    private static func needsCleaning(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { utf8 in
            var previous: UInt8 = 0
            for byte in utf8 {
                if byte < 0x20, byte != 0x0A, byte != 0x09 { return true }
                if byte == 0x7F { return true }
                if previous == 0xC2, (0x80..<0xA0).contains(byte) { return true }
                previous = byte
            }
            return false
        }
    }

    /// Whether the UTF-8 of `text` holds `byte` (found with `memchr` in its contiguous storage).
    static func contains(_ byte: UInt8, in text: String) -> Bool {
        var text = text
        return text.withUTF8 { utf8 in
            guard let base = utf8.baseAddress, !utf8.isEmpty else { return false }
            return memchr(base, Int32(byte), utf8.count) != nil
        }
    }

    /// Index after the escape sequence that starts at `start` (an ESC).
    private static func skipEscape(_ scalars: [Unicode.Scalar], from start: Int) -> Int {
        var index = start + 1
        guard index < scalars.count else { return index }
        switch scalars[index] {
        case "[":
            return skipCSI(scalars, from: index + 1)
        case "]", "P", "X", "^", "_":
            // OSC / DCS / SOS / PM / APC: up to BEL or ESC \.
            index += 1
            while index < scalars.count {
                if scalars[index].value == 0x07 { return index + 1 }
                if scalars[index].value == 0x1B, index + 1 < scalars.count, scalars[index + 1] == "\\" {
                    return index + 2
                }
                index += 1
            }
            return index
        case "(", ")", "*", "+", "#", "%":
            return min(index + 2, scalars.count)
        default:
            return index + 1
        }
    }

    /// Index after a CSI sequence whose parameters start at `start`: up to a final byte 0x40–0x7E.
    private static func skipCSI(_ scalars: [Unicode.Scalar], from start: Int) -> Int {
        var index = start
        while index < scalars.count {
            let value = scalars[index].value
            index += 1
            if (0x40...0x7E).contains(value) { return index }
            if value < 0x20 || value > 0x7E { return index - 1 }
        }
        return index
    }
}
