import Foundation

/// Building blocks that keep generated Markdown valid (CommonMark + GFM tables) whatever text goes into it.
///
/// Text is escaped only where a Markdown reader would take it for syntax, so the raw file reads as written
/// (`0.42s`, `#incident-response`, `snake_case`): emphasis and code characters when the text holds a pair that
/// could match, `[` when a `]` could close it, a block marker at the start of a line, `<` before what could be a
/// tag or an autolink and `&` before what could be an entity (as `&lt;` and `&amp;`, which every renderer reads),
/// and `|` in table cells.
public enum MarkdownText {
    /// One line of literal text: inline syntax escaped, and a leading list, heading or thematic-break marker
    /// neutralised, so the text renders as written.
    /// A line break in `text` (LF, CR or CRLF: each ends a line in CommonMark) is shown as ` ↵ `, so that a title
    /// stays one heading and a field one line.
    public static func inline(_ text: String) -> String {
        if hasLineBreak(text) { return inline(oneLine(text)) }
        return escaped(text, inCell: false)
    }

    /// Whether `text` holds a CR or an LF.
    static func hasLineBreak(_ text: String) -> Bool {
        TerminalText.contains(UInt8(ascii: "\n"), in: text) || TerminalText.contains(UInt8(ascii: "\r"), in: text)
    }

    /// The lines of `text`, split at every line ending CommonMark knows: CRLF, LF and a lone CR.
    static func lines(_ text: String) -> [Substring] {
        // A Swift `Character` holds CRLF whole, so the endings are made one before splitting.
        text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// `text` on one line: its lines trimmed and joined with ` ↵ `.
    static func oneLine(_ text: String) -> String {
        lines(text).map { trimmingWhitespace($0) }.joined(separator: " ↵ ")
    }

    /// `text` (one line) escaped by `appendEscaped`.
    private static func escaped(_ text: String, inCell: Bool) -> String {
        var text = text
        return text.withUTF8 { utf8 in
            var out: [UInt8] = []
            out.reserveCapacity(utf8.count + 8)
            appendEscaped(utf8, inCell: inCell, to: &out)
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// Appends one line of literal text, escaped where CommonMark/GFM would read syntax: the one escaper of
    /// generated Markdown. Outside a table cell the text may start a line, so a block marker there is escaped; in a
    /// cell `|` is. All the characters that matter are ASCII, so the text is read byte by byte (a UTF-8 byte below
    /// 0x80 is always a whole character).
    static func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>, inCell: Bool, to out: inout [UInt8]) {
        guard !utf8.isEmpty else { return }
        // How many of each character that only pairs make syntax of (`]` for `[`); nearly always none.
        var (stars, backticks, tildes, closers, underscores, candidates) = (0, 0, 0, 0, 0, 0)
        for byte in utf8 where isCandidate(byte) {
            candidates += 1
            switch byte {
            case UInt8(ascii: "*"): stars += 1
            case UInt8(ascii: "`"): backticks += 1
            case UInt8(ascii: "~"): tildes += 1
            case UInt8(ascii: "]"): closers += 1
            case UInt8(ascii: "_"): underscores += 1
            default: break
            }
        }
        let marker = inCell ? nil : blockMarkerEnd(utf8)
        if candidates == 0, marker == nil {
            out.append(contentsOf: utf8)
        } else {
            // `[text]` alone is literal (nothing here defines references); `](`, `][` and `]:` make links.
            let linkCloser =
                closers > 0
                && (1..<utf8.count).contains { index in
                    utf8[index - 1] == UInt8(ascii: "]")
                        && (utf8[index] == UInt8(ascii: "(") || utf8[index] == UInt8(ascii: "[")
                            || utf8[index] == UInt8(ascii: ":"))
                }
            // Runs of bytes that are never syntax (usually nearly all) are copied whole.
            var runStart = 0
            for index in 0..<utf8.count where index == marker || isCandidate(utf8[index]) {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                runStart = index + 1
                let byte = utf8[index]
                let next = index + 1 < utf8.count ? utf8[index + 1] : nil
                let previous = index > 0 ? utf8[index - 1] : nil
                if index == marker {
                    out.append(UInt8(ascii: "\\"))
                    out.append(byte)
                    continue
                }
                if ControlCharacters.isHidden(byte) {
                    // Shown, not obeyed, by a terminal that prints the file (`^[` for ESC, `^?` for DEL), and never
                    // read as syntax: `[`, `\`, `]` and `_` of the notation are escaped.
                    let shown = byte == 0x7F ? UInt8(ascii: "?") : byte + 0x40
                    out.append(UInt8(ascii: "^"))
                    if shown == UInt8(ascii: "[") || shown == UInt8(ascii: "\\") || shown == UInt8(ascii: "]")
                        || shown == UInt8(ascii: "_")
                    {
                        out.append(UInt8(ascii: "\\"))
                    }
                    out.append(shown)
                    continue
                }
                switch byte {
                case UInt8(ascii: "\\") where next.map(isASCIIPunctuation) ?? !inCell,
                    UInt8(ascii: "*") where stars > 1,
                    UInt8(ascii: "`") where backticks > 1,
                    UInt8(ascii: "~") where tildes > 1,
                    UInt8(ascii: "[") where linkCloser,
                    UInt8(ascii: "|") where inCell:
                    out.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "_") where underscores > 1 && !(isWordByte(previous) && isWordByte(next)):
                    out.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "<") where next.map(opensTag) == true:
                    out.append(contentsOf: "&lt;".utf8)
                    continue
                case UInt8(ascii: "&") where startsEntity(utf8, at: index + 1):
                    out.append(contentsOf: "&amp;".utf8)
                    continue
                default:
                    break
                }
                out.append(byte)
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        // A run of `#` at the end, after a space, would close an ATX heading and vanish.
        if !inCell, let last = utf8.last, last == UInt8(ascii: "#"), closesHeading(utf8) {
            var hashes = 0
            while hashes < utf8.count, utf8[utf8.count - 1 - hashes] == UInt8(ascii: "#") { hashes += 1 }
            out.insert(UInt8(ascii: "\\"), at: out.count - hashes)
        }
    }

    /// Where a backslash goes to keep the start of a line from opening a block: before a list bullet, a heading's
    /// `#`, a block quote's `>`, the `.` or `)` of an ordered list number, or a line that is a thematic break or a
    /// setext underline. `nil` when the line starts no block.
    private static func blockMarkerEnd(_ utf8: UnsafeBufferPointer<UInt8>) -> Int? {
        let first = utf8[0]
        func endsMarker(_ index: Int) -> Bool {
            index >= utf8.count || utf8[index] == UInt8(ascii: " ") || utf8[index] == UInt8(ascii: "\t")
        }
        switch first {
        case UInt8(ascii: ">"):
            return 0
        case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "*"), UInt8(ascii: "="), UInt8(ascii: "_"):
            // `- x` starts a list; `---`, `===`, `* * *` alone on a line are breaks or underlines.
            if first != UInt8(ascii: "="), first != UInt8(ascii: "_"), endsMarker(1) { return 0 }
            let onlyMarker = utf8.allSatisfy { $0 == first || $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
            return onlyMarker ? 0 : nil
        case UInt8(ascii: "#"):
            var hashes = 1
            while hashes < utf8.count, utf8[hashes] == UInt8(ascii: "#") { hashes += 1 }
            return hashes <= 6 && endsMarker(hashes) ? 0 : nil
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            var digits = 1
            while digits < utf8.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(utf8[digits]) { digits += 1 }
            guard digits <= 9, digits < utf8.count,
                utf8[digits] == UInt8(ascii: ".") || utf8[digits] == UInt8(ascii: ")"), endsMarker(digits + 1)
            else { return nil }
            return digits
        default:
            return nil
        }
    }

    /// Whether the line ends in a `#` run preceded by a space (an ATX heading's closing sequence).
    private static func closesHeading(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = utf8.count - 1
        while index >= 0, utf8[index] == UInt8(ascii: "#") { index -= 1 }
        return index >= 0 && (utf8[index] == UInt8(ascii: " ") || utf8[index] == UInt8(ascii: "\t"))
    }

    /// Whether `byte` is one that may need escaping somewhere (`&`, `*`, `<`, `[`, `\\`, `]`, `_`, `` ` ``, `|`, `~`): one
    /// bit per ASCII byte, in two words.
    @inline(__always)
    private static func isCandidate(_ byte: UInt8) -> Bool {
        // The hidden control characters (C0 but tab and newline, and DEL) as well: written in caret notation.
        let low: UInt64 = 1 << 0x26 | 1 << 0x2A | 1 << 0x3C | (0xFFFF_FFFF & ~(1 << 0x09 | 1 << 0x0A))
        let high: UInt64 =
            1 << (0x5B - 64) | 1 << (0x5C - 64) | 1 << (0x5D - 64) | 1 << (0x5F - 64) | 1 << (0x60 - 64)
            | 1 << (0x7C - 64) | 1 << (0x7E - 64) | 1 << (0x7F - 64)
        if byte < 64 { return low >> byte & 1 != 0 }
        if byte < 128 { return high >> (byte - 64) & 1 != 0 }
        return false
    }

    private static func isASCIIPunctuation(_ byte: UInt8) -> Bool {
        (0x21...0x2F).contains(byte) || (0x3A...0x40).contains(byte) || (0x5B...0x60).contains(byte)
            || (0x7B...0x7E).contains(byte)
    }

    private static func isASCIIAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    /// A byte of a word around `_`: `_` between two of them never opens or closes emphasis. Non-ASCII bytes are
    /// not counted (the character may be Unicode punctuation, next to which `_` can open).
    private static func isWordByte(_ byte: UInt8?) -> Bool {
        byte.map(isASCIIAlphanumeric) ?? false
    }

    /// Whether the bytes from `start` read as the rest of an entity (`amp;`, `#35;`, `#x23;`): letters or digits,
    /// or `#` and digits, up to a `;`.
    private static func startsEntity(_ utf8: UnsafeBufferPointer<UInt8>, at start: Int) -> Bool {
        var index = start
        if index < utf8.count, utf8[index] == UInt8(ascii: "#") { index += 1 }
        let first = index
        while index < utf8.count, index - first < 32, isASCIIAlphanumeric(utf8[index]) { index += 1 }
        return index > first && index < utf8.count && utf8[index] == UInt8(ascii: ";")
    }

    /// Whether `<` followed by `byte` could open an HTML tag, a comment or an autolink.
    private static func opensTag(_ byte: UInt8) -> Bool {
        isASCIIAlphanumeric(byte) || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "!") || byte == UInt8(ascii: "?")
    }

    /// `text` without leading and trailing `.whitespaces`; `text` itself when there are none (the usual case, checked
    /// without Foundation).
    static func trimmingWhitespace<Text: StringProtocol>(_ text: Text) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.first, let last = scalars.last else { return "" }
        func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
            scalar.isASCII ? scalar == " " || scalar == "\t" : CharacterSet.whitespaces.contains(scalar)
        }
        if !isWhitespace(first), !isWhitespace(last) { return String(text) }
        return text.trimmingCharacters(in: .whitespaces)
    }

    /// Literal text, possibly several lines, as one block whose continuation lines are indented by `indent`
    /// spaces (for list items).
    public static func paragraph(_ text: String, indent: Int = 0) -> String {
        guard hasLineBreak(text) else { return inline(trimmingWhitespace(text)) }
        let pad = String(repeating: " ", count: indent)
        return lines(text)
            .map { inline(trimmingWhitespace($0)) }
            .enumerated().map { $0.offset == 0 ? $0.element : pad + $0.element }
            .joined(separator: "\n")
    }

    /// Text for one GFM table cell: one line (line breaks, CR as well as LF, shown as ` ↵ `), pipes escaped, inline
    /// syntax escaped.
    public static func tableCell(_ text: String) -> String {
        let cell = escaped(hasLineBreak(text) ? oneLine(text) : trimmingWhitespace(text), inCell: true)
        return cell.isEmpty ? " " : cell
    }

    /// Appends `tableCell(text)` to `out`.
    static func appendTableCell(_ text: String, to out: inout [UInt8]) {
        if !appendTrimmedLine(text, inCell: true, to: &out) { out.append(contentsOf: tableCell(text).utf8) }
    }

    /// Appends `paragraph(text, indent: indent)` to `out`.
    static func appendParagraph(_ text: String, indent: Int, to out: inout [UInt8]) {
        if !appendTrimmedLine(text, inCell: false, to: &out) {
            out.append(contentsOf: paragraph(text, indent: indent).utf8)
        }
    }

    /// Appends `text` escaped without making strings when it is one non-empty line (no LF, no CR) whose first and
    /// last bytes are ASCII other than white space, so that trimming would change nothing: nearly every cell and
    /// note. Returns `false`, having appended nothing, otherwise.
    private static func appendTrimmedLine(_ text: String, inCell: Bool, to out: inout [UInt8]) -> Bool {
        var text = text
        return text.withUTF8 { utf8 -> Bool in
            guard let first = utf8.first, let last = utf8.last, first < 0x80, last < 0x80, first != 0x20,
                first != 0x09, last != 0x20, last != 0x09,
                memchr(utf8.baseAddress!, 0x0A, utf8.count) == nil, memchr(utf8.baseAddress!, 0x0D, utf8.count) == nil
            else { return false }
            appendEscaped(utf8, inCell: inCell, to: &out)
            return true
        }
    }

    /// A table row of literal text.
    public static func tableRow(_ cells: [String]) -> String {
        tableRow(formatted: cells.map(tableCell))
    }

    /// A table row of cells that are already Markdown (made with `tableCell`, or fixed markup of ours).
    public static func tableRow(formatted cells: [String]) -> String {
        var row = "| "
        row.reserveCapacity(cells.reduce(4) { $0 + $1.utf8.count + 3 })
        for (index, cell) in cells.enumerated() {
            if index > 0 { row += " | " }
            row += cell
        }
        row += " |"
        return row
    }

    /// A fenced code block that `content` cannot close: the fence is longer than the longest run of backticks.
    public static func fencedBlock(_ content: String, info: String = "") -> String {
        var longest = 0
        var run = 0
        for character in content.utf8 {
            if character == UInt8(ascii: "`") {
                run += 1
                longest = max(longest, run)
            } else {
                run = 0
            }
        }
        let fence = String(repeating: "`", count: max(3, longest + 1))
        var body = content
        if !body.isEmpty, !body.hasSuffix("\n") { body += "\n" }
        return fence + info + "\n" + body + fence
    }
}
