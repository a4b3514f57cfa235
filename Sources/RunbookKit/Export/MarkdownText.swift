import Foundation

/// Building blocks that keep generated Markdown valid (CommonMark + GFM tables) whatever text goes into it.
public enum MarkdownText {
    /// Whether `byte` is one of the characters that could start Markdown syntax inside a line (each is
    /// backslash-escaped): `\\ ` * _ [ ] < > | # ~ & !`. All are ASCII, so they are found byte by byte (a UTF-8
    /// byte below 0x80 is always a whole character).
    @inline(__always)
    private static func isEscaped(_ byte: UInt8) -> Bool {
        // One bit per ASCII byte, in two words (bytes 0–63 and 64–127): a shift and a test, no table to load.
        // Low word: ! # & * < >; high word: [ \ ] _ ` | ~.
        let low: UInt64 = 1 << 0x21 | 1 << 0x23 | 1 << 0x26 | 1 << 0x2A | 1 << 0x3C | 1 << 0x3E
        let high: UInt64 =
            1 << (0x5B - 64) | 1 << (0x5C - 64) | 1 << (0x5D - 64) | 1 << (0x5F - 64) | 1 << (0x60 - 64)
            | 1 << (0x7C - 64) | 1 << (0x7E - 64)
        if byte < 64 { return low >> byte & 1 != 0 }
        if byte < 128 { return high >> (byte - 64) & 1 != 0 }
        return false
    }

    /// One line of literal text: inline syntax escaped, and a leading list, heading or thematic-break marker
    /// neutralised, so the text renders as written.
    /// A line break in `text` (LF, CR or CRLF: each ends a line in CommonMark) is shown as ` ↵ `, so that a title
    /// stays one heading and a field one line.
    public static func inline(_ text: String) -> String {
        if hasLineBreak(text) { return inline(oneLine(text)) }
        var out = escapingPunctuation(text)
        // `- x`, `+ x`, `= x`, `1. x`, `1) x` at the start of a line would start a block.
        guard let firstByte = out.utf8.first else { return out }
        switch firstByte {
        case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "="):
            out.insert("\\", at: out.startIndex)
        case UInt8(ascii: "0")...UInt8(ascii: "9"), 0x80...:
            // Digits, or a non-ASCII start that may still be a number (`٣.`): the Character-based check.
            if let dot = out.firstIndex(where: { !$0.isNumber }), dot != out.startIndex, ".)".contains(out[dot]) {
                out.insert("\\", at: dot)
            }
        default:
            break
        }
        return out
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

    /// `text` with a backslash before each character `isEscaped` names; `text` itself when it has none.
    private static func escapingPunctuation(_ text: String) -> String {
        var contiguous = text
        return contiguous.withUTF8 { utf8 in
            guard let first = utf8.firstIndex(where: isEscaped) else { return text }
            // Each escape adds one byte; the result is valid UTF-8 because only ASCII bytes gain a backslash.
            return String(unsafeUninitializedCapacity: utf8.count * 2) { buffer in
                var count = 0
                for index in 0..<first {
                    buffer[count] = utf8[index]
                    count += 1
                }
                for index in first..<utf8.count {
                    let byte = utf8[index]
                    if isEscaped(byte) {
                        buffer[count] = UInt8(ascii: "\\")
                        count += 1
                    }
                    buffer[count] = byte
                    count += 1
                }
                return count
            }
        }
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
        let cell = inline(hasLineBreak(text) ? oneLine(text) : trimmingWhitespace(text))
        return cell.isEmpty ? " " : cell
    }

    /// Appends `tableCell(text)` to `out`.
    static func appendTableCell(_ text: String, to out: inout [UInt8]) {
        if !appendTrimmedInline(text, to: &out) { out.append(contentsOf: tableCell(text).utf8) }
    }

    /// Appends `paragraph(text, indent: indent)` to `out`.
    static func appendParagraph(_ text: String, indent: Int, to out: inout [UInt8]) {
        if !appendTrimmedInline(text, to: &out) { out.append(contentsOf: paragraph(text, indent: indent).utf8) }
    }

    /// Appends `inline(trimmingWhitespace(text))` byte by byte, without building strings, when `text` is one
    /// non-empty line (no LF, no CR) whose first and last bytes are ASCII other than white space and whose leading digits (if any)
    /// are followed by ASCII: nearly every cell and note. Returns `false`, having appended nothing, otherwise.
    private static func appendTrimmedInline(_ text: String, to out: inout [UInt8]) -> Bool {
        var text = text
        return text.withUTF8 { utf8 -> Bool in
            guard let first = utf8.first, let last = utf8.last, first < 0x80, last < 0x80, first != 0x20,
                first != 0x09, last != 0x20, last != 0x09,
                memchr(utf8.baseAddress!, 0x0A, utf8.count) == nil, memchr(utf8.baseAddress!, 0x0D, utf8.count) == nil
            else { return false }
            // Where a backslash goes to keep a leading `- `, `+ `, `= `, `1. ` or `1) ` from starting a block.
            var markerAt = -1
            switch first {
            case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "="):
                markerAt = 0
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                var index = 1
                while index < utf8.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(utf8[index]) { index += 1 }
                if index < utf8.count {
                    let next = utf8[index]
                    if next >= 0x80 { return false }  // Maybe a combining mark: the Character-based check decides.
                    if next == UInt8(ascii: ".") || next == UInt8(ascii: ")") { markerAt = index }
                }
            default:
                break
            }
            // Runs without escapes (usually the whole text) are copied whole.
            let base = utf8.baseAddress!
            var runStart = 0
            for index in 0..<utf8.count where index == markerAt || isEscaped(base[index]) {
                if runStart < index {
                    out.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: index - runStart))
                }
                out.append(UInt8(ascii: "\\"))
                runStart = index
            }
            out.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: utf8.count - runStart))
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
