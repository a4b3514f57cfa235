/// Prose wrapped to the terminal's width at word boundaries: the one wrapping function of the REPL's screens
/// (guidance, manual items, answers, banners).
///
/// Commands are never wrapped (a wrapped command reads as two); a word wider than the line stays whole on a line
/// of its own. Widths are display widths: escape sequences (colours) count zero and wide characters two, so a
/// painted line wraps as it looks.
enum TextWrapping {
    /// `text` (which may hold line breaks) in lines of at most `width` columns, each starting with `indent`, the
    /// continuation lines of a wrapped line with `continuation` (by default `indent`). A `nil` or tiny width
    /// wraps nothing: only the indent is added.
    static func wrap(_ text: String, width: Int?, indent: String = "", continuation: String? = nil) -> [String] {
        let continuation = continuation ?? indent
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            guard let width, width >= 20 else {
                lines.append(indent + paragraph)
                continue
            }
            // Each word with the blanks before it: the blanks are kept within a line (aligned columns, leading
            // indentation) and dropped where the line breaks.
            var pieces: [(gap: Substring, word: Substring)] = []
            var rest = paragraph[...]
            while !rest.isEmpty {
                let gap = rest.prefix { $0 == " " }
                rest = rest.dropFirst(gap.count)
                let word = rest.prefix { $0 != " " }
                rest = rest.dropFirst(word.count)
                if !word.isEmpty { pieces.append((gap, word)) }
            }
            var line = indent
            var lineHasWord = false
            var lineWidth = TerminalStyle.displayWidth(line)
            for (gap, word) in pieces {
                let wordWidth = TerminalStyle.displayWidth(String(word))
                if lineHasWord, lineWidth + gap.count + wordWidth > width {
                    lines.append(line)
                    line = continuation + word
                    lineWidth = TerminalStyle.displayWidth(continuation) + wordWidth
                } else {
                    line += gap + word
                    lineWidth += gap.count + wordWidth
                }
                lineHasWord = true
            }
            lines.append(line)
        }
        return lines
    }
}
