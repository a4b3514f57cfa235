import Foundation

/// Building blocks that keep generated Markdown valid (CommonMark + GFM tables) whatever text goes into it.
public enum MarkdownText {
    /// Characters that could start Markdown syntax inside a line; each is backslash-escaped. All are ASCII, so they
    /// are found byte by byte (a UTF-8 byte below 0x80 is always a whole character).
    private static let escaped: [Bool] = {
        var table = [Bool](repeating: false, count: 128)
        for character in "\\`*_[]<>|#~&!".utf8 { table[Int(character)] = true }
        return table
    }()

    /// One line of literal text: inline syntax escaped, and a leading list, heading or thematic-break marker
    /// neutralised, so the text renders as written.
    public static func inline(_ text: String) -> String {
        var out = escapingPunctuation(text)
        // `- x`, `+ x`, `= x`, `1. x`, `1) x` at the start of a line would start a block.
        if let first = out.first, "-+=".contains(first) {
            out.insert("\\", at: out.startIndex)
        } else if let dot = out.firstIndex(where: { !$0.isNumber }), dot != out.startIndex, ".)".contains(out[dot]) {
            out.insert("\\", at: dot)
        }
        return out
    }

    /// `text` with a backslash before each character of `escaped`; `text` itself when it has none.
    private static func escapingPunctuation(_ text: String) -> String {
        let utf8 = text.utf8
        guard utf8.contains(where: { $0 < 0x80 && escaped[Int($0)] }) else { return text }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count + 16)
        for byte in utf8 {
            if byte < 0x80, escaped[Int(byte)] { bytes.append(UInt8(ascii: "\\")) }
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self)
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
        guard text.utf8.contains(UInt8(ascii: "\n")) else { return inline(trimmingWhitespace(text)) }
        let pad = String(repeating: " ", count: indent)
        return text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { inline(trimmingWhitespace($0)) }
            .enumerated().map { $0.offset == 0 ? $0.element : pad + $0.element }
            .joined(separator: "\n")
    }

    /// Text for one GFM table cell: one line (newlines shown as ` ↵ `), pipes escaped, inline syntax escaped.
    public static func tableCell(_ text: String) -> String {
        let oneLine: String
        if text.utf8.contains(UInt8(ascii: "\n")) {
            oneLine = text.replacingOccurrences(of: "\r\n", with: "\n").split(
                separator: "\n", omittingEmptySubsequences: false
            )
            .map { trimmingWhitespace($0) }
            .joined(separator: " ↵ ")
        } else {
            oneLine = trimmingWhitespace(text)
        }
        let cell = inline(oneLine)
        return cell.isEmpty ? " " : cell
    }

    /// A table row of literal text.
    public static func tableRow(_ cells: [String]) -> String {
        tableRow(formatted: cells.map(tableCell))
    }

    /// A table row of cells that are already Markdown (made with `tableCell`, or fixed markup of ours).
    public static func tableRow(formatted cells: [String]) -> String {
        "| " + cells.joined(separator: " | ") + " |"
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
