import Foundation

/// Turns terminal output into plain text: the one place escape sequences are removed, for the redactor (which
/// matches secrets on the visible text), the search index, the text view of `runbook transcript`, and the exports.
///
/// Escape sequences (CSI such as colours and cursor moves, OSC such as window titles, DCS, SOS, PM, APC,
/// character-set designations and other two-byte escapes, and their 8-bit C1 forms) are removed, and control
/// characters other than newline and tab are dropped. The stored output keeps every byte; only copies are
/// stripped. Works on UTF-8 bytes because escape sequences are ASCII, and output arrives by the megabyte.
public enum ANSIText {
    /// What a carriage return that does not end a line (`\r\n`) becomes.
    public enum CarriageReturn: Sendable {
        /// A line break, so every state of a line overwritten in place stays searchable.
        case lineBreak
        /// The line starts over, as a terminal shows it: a progress bar keeps only its last state, and a
        /// backspace removes the character before it.
        case overwrite
    }

    /// `text` without escape sequences and control characters.
    public static func strip(_ text: String, carriageReturn: CarriageReturn = .lineBreak) -> String {
        if !needsCleaning(text) { return text }
        return strip(Data(text.utf8), carriageReturn: carriageReturn)
    }

    /// The UTF-8 `bytes` without escape sequences and control characters, decoded (invalid UTF-8 replaced).
    public static func strip(_ bytes: Data, carriageReturn: CarriageReturn = .lineBreak) -> String {
        var offsets: [Int]?
        let result = bytes.withUnsafeBytes { visibleBytes($0, carriageReturn: carriageReturn, offsets: &offsets) }
        return String(decoding: result, as: UTF8.self)
    }

    /// The visible bytes of `input` (what `strip` keeps, before UTF-8 decoding; a lone carriage return becomes
    /// a newline), and for each of them the offset in `input` of the byte it came from; `nil` when `input` holds
    /// no escape or control character other than tab, newline and carriage return, so that its visible text is
    /// itself to a matcher. The redactor matches on the visible bytes and maps each match back to the stored bytes.
    public static func visibleBytesWithOffsets(_ input: UnsafeRawBufferPointer) -> (bytes: [UInt8], offsets: [Int])? {
        guard needsCleaning(input, ignoringCarriageReturns: true) else { return nil }
        var offsets: [Int]? = []
        let bytes = visibleBytes(input, carriageReturn: .lineBreak, offsets: &offsets)
        return (bytes, offsets ?? [])
    }

    /// A select graphic rendition sequence (`CSI … m`: colours, bold, underline…) found by `visibleBytesWithStyles`.
    public struct StyleSequence: Equatable, Sendable {
        /// Offset in the input of the sequence's final `m`: it applies to the visible bytes from later offsets.
        public var offset: Int
        /// The parameter bytes between the introducer and the `m` (`1;31` of `ESC [ 1 ; 3 1 m`).
        public var parameters: [UInt8]

        /// A sequence ending at `offset` with `parameters`.
        public init(offset: Int, parameters: [UInt8]) {
            self.offset = offset
            self.parameters = parameters
        }
    }

    /// The visible bytes of `input` (as `strip` keeps them with `carriageReturn`), the offset in `input` of each,
    /// and the select graphic rendition sequences in input order: what a renderer needs to show the text in its
    /// colours (a kept byte takes the style of the sequences before its offset). The same scan as `strip`, so
    /// colours are read by the one escape-sequence parser.
    public static func visibleBytesWithStyles(
        _ input: UnsafeRawBufferPointer, carriageReturn: CarriageReturn
    ) -> (bytes: [UInt8], offsets: [Int], styles: [StyleSequence]) {
        var offsets: [Int]? = []
        var styles: [StyleSequence]? = []
        let bytes = visibleBytes(input, carriageReturn: carriageReturn, offsets: &offsets, styles: &styles)
        return (bytes, offsets ?? [], styles ?? [])
    }

    /// The state machine of `strip`; when `offsets` is not `nil`, it receives the input offset of every byte kept.
    /// When `styles` is not `nil`, it receives every select graphic rendition sequence.
    private static func visibleBytes(
        _ input: UnsafeRawBufferPointer, carriageReturn: CarriageReturn, offsets: inout [Int]?
    ) -> [UInt8] {
        var styles: [StyleSequence]?
        return visibleBytes(input, carriageReturn: carriageReturn, offsets: &offsets, styles: &styles)
    }

    private static func visibleBytes(
        _ input: UnsafeRawBufferPointer, carriageReturn: CarriageReturn, offsets: inout [Int]?,
        styles: inout [StyleSequence]?
    ) -> [UInt8] {
        enum State { case text, escape, designation, csi, string, stringEscape }
        let overwrites = carriageReturn == .overwrite
        let tracks = offsets != nil
        let tracksStyles = styles != nil
        var csiStart = 0
        var kept: [Int] = []
        if tracks { kept.reserveCapacity(input.count) }
        var state = State.text
        var result = [UInt8]()
        result.reserveCapacity(input.count)
        do {
            var lineStart = 0
            var index = 0
            let count = input.count
            while index < count {
                let byte = input[index]
                index += 1
                switch state {
                case .text:
                    switch byte {
                    case 0x1B: state = .escape
                    case 0x0D:
                        if index < count && input[index] == 0x0A { break }
                        if overwrites {
                            result.removeSubrange(lineStart...)
                            if tracks { kept.removeSubrange(lineStart...) }
                        } else {
                            result.append(0x0A)
                            if tracks { kept.append(index - 1) }
                            lineStart = result.count
                        }
                    case 0x0A:
                        result.append(byte)
                        if tracks { kept.append(index - 1) }
                        lineStart = result.count
                    case 0x09:
                        result.append(byte)
                        if tracks { kept.append(index - 1) }
                    case 0x08 where overwrites && result.count > lineStart:
                        // Remove the last character: its UTF-8 continuation bytes, then its first byte.
                        while result.count > lineStart + 1, (0x80...0xBF).contains(result[result.count - 1]) {
                            result.removeLast()
                            if tracks { kept.removeLast() }
                        }
                        result.removeLast()
                        if tracks { kept.removeLast() }
                    case 0x00..<0x20, 0x7F: break
                    case 0xC2 where index < count && (0x80...0x9F).contains(input[index]):
                        // A C1 control character (U+0080–U+009F); U+009B is a one-character CSI.
                        if input[index] == 0x9B { state = .csi }
                        index += 1
                        csiStart = index
                    default:
                        result.append(byte)
                        if tracks { kept.append(index - 1) }
                    }
                case .escape:
                    switch byte {
                    case UInt8(ascii: "["):
                        state = .csi
                        csiStart = index
                    case UInt8(ascii: "]"), UInt8(ascii: "P"), UInt8(ascii: "X"), UInt8(ascii: "_"),
                        UInt8(ascii: "^"):
                        state = .string
                    case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"),
                        UInt8(ascii: "#"), UInt8(ascii: "%"):
                        state = .designation
                    default: state = .text
                    }
                case .designation:
                    // ESC ( B and the like: one more byte names the character set.
                    state = .text
                case .csi:
                    // Parameters and intermediates are 0x20–0x3F; a final byte 0x40–0x7E ends the sequence. Any
                    // other byte ends a broken sequence and is read again as text.
                    if (0x40...0x7E).contains(byte) {
                        state = .text
                        if tracksStyles, byte == UInt8(ascii: "m") {
                            styles!.append(
                                StyleSequence(offset: index - 1, parameters: Array(input[csiStart..<(index - 1)])))
                        }
                    } else if byte < 0x20 || byte > 0x7E {
                        state = .text
                        index -= 1
                    }
                case .string:
                    // OSC, DCS, SOS, PM and APC run to BEL or ESC \.
                    if byte == 0x07 { state = .text } else if byte == 0x1B { state = .stringEscape }
                case .stringEscape:
                    state = byte == UInt8(ascii: "\\") ? .text : .string
                }
            }
        }
        if tracks { offsets = kept }
        return result
    }

    /// Whether `text` holds anything `strip` removes or changes: a control character other than newline and tab
    /// (ESC, CR, backspace, DEL…) or a C1 control (U+0080–U+009F, encoded as C2 80–C2 9F). Most text holds none,
    /// and a timeline or replay of a large incident cleans a line per event.
    private static func needsCleaning(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { needsCleaning(UnsafeRawBufferPointer($0)) }
    }

    private static func needsCleaning(_ bytes: UnsafeRawBufferPointer, ignoringCarriageReturns: Bool = false) -> Bool {
        let carriageReturn: UInt8 = ignoringCarriageReturns ? 0x0D : 0x0A
        var previous: UInt8 = 0
        for byte in bytes {
            if byte < 0x20, byte != 0x0A, byte != 0x09, byte != carriageReturn { return true }
            if byte == 0x7F { return true }
            if previous == 0xC2, (0x80..<0xA0).contains(byte) { return true }
            previous = byte
        }
        return false
    }
}
