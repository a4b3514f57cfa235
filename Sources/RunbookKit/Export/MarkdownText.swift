import Foundation

/// Building blocks that keep generated Markdown valid (CommonMark + GFM tables) whatever text goes into it.
public enum MarkdownText {
    /// Characters that could start Markdown syntax inside a line; each is backslash-escaped.
    private static let escaped: Set<Character> = ["\\", "`", "*", "_", "[", "]", "<", ">", "|", "#", "~", "&", "!"]

    /// One line of literal text: inline syntax escaped, and a leading list, heading or thematic-break marker
    /// neutralised, so the text renders as written.
    public static func inline(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            if escaped.contains(character) { out.append("\\") }
            out.append(character)
        }
        // `- x`, `+ x`, `= x`, `1. x`, `1) x` at the start of a line would start a block.
        if let first = out.first, "-+=".contains(first) {
            out.insert("\\", at: out.startIndex)
        } else if let dot = out.firstIndex(where: { !$0.isNumber }), dot != out.startIndex, ".)".contains(out[dot]) {
            out.insert("\\", at: dot)
        }
        return out
    }

    /// Literal text, possibly several lines, as one block whose continuation lines are indented by `indent`
    /// spaces (for list items).
    public static func paragraph(_ text: String, indent: Int = 0) -> String {
        let pad = String(repeating: " ", count: indent)
        return text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { inline(String($0).trimmingCharacters(in: .whitespaces)) }
            .enumerated().map { $0.offset == 0 ? $0.element : pad + $0.element }
            .joined(separator: "\n")
    }

    /// Text for one GFM table cell: one line (newlines shown as ` ↵ `), pipes escaped, inline syntax escaped.
    public static func tableCell(_ text: String) -> String {
        let oneLine = text.replacingOccurrences(of: "\r\n", with: "\n").split(
            separator: "\n", omittingEmptySubsequences: false
        )
        .map { $0.trimmingCharacters(in: .whitespaces) }
        .joined(separator: " ↵ ")
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
        for character in content {
            if character == "`" {
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
