import Foundation

/// Turns terminal output into plain text for the search index.
///
/// Escape sequences (CSI such as colours and cursor moves, OSC such as window titles, DCS, and
/// two-byte escapes) are removed, carriage returns become line breaks, and other control
/// characters except tab are dropped. The stored output keeps every byte; only the search copy
/// (and the text view of `runbook transcript`) is stripped. Works on UTF-8 bytes because escape
/// sequences are ASCII, and output arrives by the megabyte.
public enum ANSIText {
    /// `text` without escape sequences and control characters.
    public static func strip(_ text: String) -> String {
        strip(Data(text.utf8))
    }

    /// The UTF-8 `bytes` without escape sequences and control characters, decoded (invalid UTF-8 replaced).
    public static func strip(_ bytes: Data) -> String {
        enum State { case text, escape, csi, osc, oscEscape }
        var state = State.text
        var result = [UInt8]()
        result.reserveCapacity(bytes.count)
        bytes.withUnsafeBytes { (input: UnsafeRawBufferPointer) in
            var previousWasCR = false
            var index = 0
            let count = input.count
            while index < count {
                let byte = input[index]
                index += 1
                var wasCR = false
                switch state {
                case .text:
                    switch byte {
                    case 0x1B: state = .escape
                    case 0x0D:
                        result.append(0x0A)
                        wasCR = true
                    case 0x0A: if !previousWasCR { result.append(byte) }
                    case 0x09: result.append(byte)
                    case 0x00..<0x20, 0x7F: break
                    case 0xC2 where index < count && (0x80...0x9F).contains(input[index]):
                        // A C1 control character (U+0080–U+009F); U+009B is a one-character CSI.
                        if input[index] == 0x9B { state = .csi }
                        index += 1
                    default: result.append(byte)
                    }
                case .escape:
                    switch byte {
                    case UInt8(ascii: "["): state = .csi
                    case UInt8(ascii: "]"), UInt8(ascii: "P"), UInt8(ascii: "_"), UInt8(ascii: "^"): state = .osc
                    default: state = .text
                    }
                case .csi:
                    // Parameters and intermediates are 0x20–0x3F; a final byte 0x40–0x7E ends the sequence.
                    if (0x40...0x7E).contains(byte) { state = .text }
                case .osc:
                    if byte == 0x07 { state = .text } else if byte == 0x1B { state = .oscEscape }
                case .oscEscape:
                    state = byte == UInt8(ascii: "\\") ? .text : .osc
                }
                previousWasCR = wasCR
            }
        }
        return String(decoding: result, as: UTF8.self)
    }
}
