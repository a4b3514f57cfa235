import Foundation

/// Recognises commands that remove or replace things, so the linter can ask for `risk=destructive` and the
/// session can ask for a typed confirmation in production.
///
/// One table of named rules (`DestructiveRule.builtIn`), plus the rules of a runbooks directory's
/// `destructive.yaml`. A heuristic over shell words, not a shell parser: comments are ignored, and a command
/// continued with `\` is read as one line.
public struct DestructiveCommandDetector: Sendable {
    /// The rules, built-in ones first.
    public let rules: [DestructiveRule]
    /// The built-in rules only.
    public static let standard = DestructiveCommandDetector()

    /// A detector with the built-in rules followed by `extraRules` (a directory's `destructive.yaml` patterns).
    public init(extraRules: [DestructiveRule] = []) {
        rules = DestructiveRule.builtIn + extraRules
    }

    /// The rules `command` matches, in table order (empty when it looks harmless).
    public func matches(_ command: String) -> [DestructiveRule] {
        var matched: Set<Int> = []
        for line in Self.logicalLines(command) {
            let segments = Self.segments(of: line).map { $0.map { $0.lowercased() } }
            var upperLine: [UInt8]?
            var plainLine: String?
            for index in rules.indices where !matched.contains(index) {
                switch rules[index].test {
                case .command(let tools, let words, let condition):
                    for segment in segments {
                        guard let tool = segment.firstIndex(where: { word in tools.contains { Self.names(word, $0) } })
                        else { continue }
                        let rest = segment[(tool + 1)...]
                        guard words.isEmpty || rest.contains(where: { DestructiveRule.isKeyword($0, of: words) }),
                            condition?(rest) ?? true
                        else { continue }
                        matched.insert(index)
                        break
                    }
                case .sql(let keyword, let objects):
                    if upperLine == nil { upperLine = Array(line.joined(separator: " ").uppercased().utf8) }
                    if Self.containsSQL(upperLine!, keyword: keyword, followedBy: objects) { matched.insert(index) }
                case .pattern(let pattern):
                    if plainLine == nil { plainLine = line.joined(separator: " ") }
                    let text = plainLine!
                    let range = NSRange(text.startIndex..., in: text)
                    if pattern.expression.firstMatch(in: text, range: range) != nil { matched.insert(index) }
                }
            }
        }
        return matched.sorted().map { rules[$0] }
    }

    /// Whether `word` is the program `tool`, by name or path (`kubectl`, `/usr/local/bin/kubectl`).
    private static func names(_ word: String, _ tool: String) -> Bool {
        word == tool || (word.hasSuffix(tool) && word.dropLast(tool.count).hasSuffix("/"))
    }

    /// Whether `keyword` appears in upper-cased `text` as a word (no letter, `_` or `-` on either side),
    /// followed by one of `objects` when given, else by a space, `;`, a quote or the end.
    static func containsSQL(_ text: [UInt8], keyword: String, followedBy objects: [String]?) -> Bool {
        let keyword = Array(keyword.utf8)
        guard text.count >= keyword.count else { return false }
        func isWord(_ byte: UInt8) -> Bool {
            (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: "-") || byte >= 0x80
        }
        var start = 0
        while start + keyword.count <= text.count {
            guard text[start] == keyword[0], text[start..<(start + keyword.count)].elementsEqual(keyword) else {
                start += 1
                continue
            }
            let end = start + keyword.count
            let before = start > 0 ? text[start - 1] : nil
            let after = end < text.count ? text[end] : nil
            start = end
            guard !(before.map(isWord) ?? false), !(after.map(isWord) ?? false) else { continue }
            guard let objects else { return after == nil || after == UInt8(ascii: " ") || after == UInt8(ascii: ";") }
            var rest = end
            while rest < text.count, text[rest] == UInt8(ascii: " ") { rest += 1 }
            if objects.contains(where: { text[rest...].starts(with: $0.utf8) }) { return true }
        }
        return false
    }

    /// The command's lines with comments removed and `\`-continued lines joined, as shell words.
    static func logicalLines(_ command: String) -> [[String]] {
        let lineWords = command.split(separator: "\n", omittingEmptySubsequences: false).map(words(in:))
        var lines: [[String]] = []
        var pending: [String] = []
        for var words in lineWords {
            let continues = words.last == "\\"
            if continues { words.removeLast() }
            pending += words
            if !continues {
                if !pending.isEmpty { lines.append(pending) }
                pending = []
            }
        }
        if !pending.isEmpty { lines.append(pending) }
        return lines
    }

    /// Splits a line into words; quoted text is one word (without quotes); `#` at a word start ends the line.
    private static func words(in line: Substring) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        for character in line {
            if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
                continue
            }
            switch character {
            case "'", "\"":
                quote = character
                inWord = true
            case " ", "\t":
                if inWord { words.append(current) }
                current = ""
                inWord = false
            case "#" where !inWord:
                return words
            case ";", "|", "&":
                if inWord { words.append(current) }
                words.append(String(character))
                current = ""
                inWord = false
            default:
                current.append(character)
                inWord = true
            }
        }
        if inWord { words.append(current) }
        return words
    }

    /// Splits words into simple commands at `;`, `|`, `&`.
    static func segments(of words: [String]) -> [[String]] {
        var result: [[String]] = [[]]
        for word in words {
            if word == ";" || word == "|" || word == "&" {
                result.append([])
            } else {
                result[result.count - 1].append(word)
            }
        }
        return result.filter { !$0.isEmpty }
    }
}
