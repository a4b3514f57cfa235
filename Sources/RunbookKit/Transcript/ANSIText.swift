/// Turns terminal output into plain text for the search index.
///
/// Escape sequences (CSI such as colours and cursor moves, OSC such as window titles, and
/// two-byte escapes) are removed, carriage returns become line breaks, and other control
/// characters except tab are dropped. The stored output keeps every byte; only the search copy
/// is stripped.
public enum ANSIText {
    /// `text` without escape sequences and control characters.
    public static func strip(_ text: String) -> String {
        enum State { case text, escape, csi, osc, oscEscape }
        var state = State.text
        var result = String.UnicodeScalarView()
        result.reserveCapacity(text.unicodeScalars.count)
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            switch state {
            case .text:
                switch scalar.value {
                case 0x1B: state = .escape
                case 0x9B: state = .csi
                case 0x0D: result.append("\n")
                case 0x0A: if !previousWasCR { result.append(scalar) }
                case 0x09: result.append(scalar)
                case 0x00..<0x20, 0x7F, 0x80..<0xA0: break
                default: result.append(scalar)
                }
            case .escape:
                switch scalar {
                case "[": state = .csi
                case "]", "P", "_", "^": state = .osc
                default: state = .text
                }
            case .csi:
                // Parameters and intermediates are 0x20–0x3F; a final byte 0x40–0x7E ends the sequence.
                if (0x40...0x7E).contains(scalar.value) { state = .text }
            case .osc:
                if scalar.value == 0x07 { state = .text } else if scalar.value == 0x1B { state = .oscEscape }
            case .oscEscape:
                state = scalar == "\\" ? .text : .osc
            }
            previousWasCR = scalar.value == 0x0D && state == .text
        }
        return String(result)
    }
}
