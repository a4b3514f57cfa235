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
    /// The distinct trigger words of the rules (tools, keyword stems, SQL keywords), their bytes one after the
    /// other, and where each starts (`triggerStarts[n] ..< triggerStarts[n + 1]`).
    private let triggerBytes: [UInt8]
    private let triggerStarts: [Int]
    /// Bit n set: some trigger word starts with the letter `a` + n (most bytes start none and are skipped).
    private let firstLetters: UInt32
    /// Per rule: the bits of its tools (one must be found; none for a pattern) and of its keywords (one must be
    /// found, unless there are none).
    private let ruleTriggers: [(tools: UInt64, words: UInt64)]

    /// The built-in rules only.
    public static let standard = DestructiveCommandDetector()

    /// A detector with the built-in rules followed by `extraRules` (patterns, which have no triggers).
    public init(extraRules: [DestructiveRule] = []) {
        rules = DestructiveRule.builtIn + extraRules
        var words: [String] = []
        func bits(_ list: [String]) -> UInt64 {
            list.reduce(0) { mask, word in
                if !words.contains(word) { words.append(word) }
                return mask | 1 << UInt64(words.firstIndex(of: word)!)
            }
        }
        ruleTriggers = rules.map { rule in
            let triggers = rule.triggers
            return (bits(triggers.tools), bits(triggers.words))
        }
        precondition(words.count <= 64, "more trigger words than bits")
        triggerBytes = words.flatMap { Array($0.utf8) }
        triggerStarts = words.reduce(into: [0]) { $0.append($0.last! + $1.utf8.count) }
        firstLetters = words.reduce(0) { $0 | 1 << UInt32($1.utf8.first! &- UInt8(ascii: "a")) }
    }

    /// The rules `command` matches, in table order (empty when it looks harmless).
    public func matches(_ command: String) -> [DestructiveRule] {
        let found = foundTriggers(command)
        let candidates = rules.indices.filter { index in
            let (tools, words) = ruleTriggers[index]
            return tools == 0 || (tools & found != 0 && (words == 0 || words & found != 0))
        }
        if candidates.isEmpty { return [] }
        var matched: Set<Int> = []
        for line in Self.logicalLines(command) {
            let segments = Self.segments(of: line).map { $0.map { $0.lowercased() } }
            var upperLine: [UInt8]?
            var plainLine: String?
            for index in candidates where !matched.contains(index) {
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

    /// The bits of the trigger words found at word starts of the command (lower-cased, quotes taken out; a word
    /// starts after anything but a letter), in one pass over its bytes. A rule whose tools or keywords are all
    /// missing cannot match, so most commands are done with here.
    private func foundTriggers(_ command: String) -> UInt64 {
        let firstLetters = self.firstLetters
        var found: UInt64 = 0
        let wordCount = triggerStarts.count - 1
        triggerBytes.withUnsafeBufferPointer { words in
            triggerStarts.withUnsafeBufferPointer { starts in
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(command.utf8.count, 1)) { buffer in
                    var count = 0
                    for byte in command.utf8 where byte != UInt8(ascii: "'") && byte != UInt8(ascii: "\"") {
                        buffer[count] = byte >= 0x41 && byte <= 0x5A ? byte + 32 : byte
                        count += 1
                    }
                    let text = UnsafeBufferPointer(rebasing: buffer[..<count])
                    var afterLetter = false
                    for start in 0..<text.count {
                        let letter = text[start] &- UInt8(ascii: "a")
                        let wordStart = !afterLetter
                        afterLetter = letter < 26 || text[start] >= 0x80
                        guard letter < 26, wordStart, firstLetters >> UInt32(letter) & 1 != 0 else { continue }
                        for index in 0..<wordCount where found & (1 << UInt64(index)) == 0 {
                            let (from, to) = (starts[index], starts[index + 1])
                            guard words[from] == text[start], text.count - start >= to - from else { continue }
                            var equal = true
                            for offset in 1..<(to - from) where words[from + offset] != text[start + offset] {
                                equal = false
                                break
                            }
                            if equal { found |= 1 << UInt64(index) }
                        }
                    }
                }
            }
        }
        return found
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
        // Plain ASCII is split on bytes; anything else by Characters (see `ASCIIText`).
        let lineWords =
            ASCIIText.lines(command, omittingEmpty: false)?.map(words(ascii:))
            ?? command.split(separator: "\n", omittingEmptySubsequences: false).map(words(in:))
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

    /// `words(in:)` for an ASCII line, on bytes.
    private static func words(ascii line: ArraySlice<UInt8>) -> [String] {
        var words: [String] = []
        var current: [UInt8] = []
        var inWord = false
        var quote: UInt8?
        for byte in line {
            if let open = quote {
                if byte == open { quote = nil } else { current.append(byte) }
                continue
            }
            switch byte {
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                quote = byte
                inWord = true
            case UInt8(ascii: " "), UInt8(ascii: "\t"):
                if inWord { words.append(String(decoding: current, as: UTF8.self)) }
                current.removeAll(keepingCapacity: true)
                inWord = false
            case UInt8(ascii: "#") where !inWord:
                return words
            case UInt8(ascii: ";"), UInt8(ascii: "|"), UInt8(ascii: "&"):
                if inWord { words.append(String(decoding: current, as: UTF8.self)) }
                words.append(String(UnicodeScalar(byte)))
                current.removeAll(keepingCapacity: true)
                inWord = false
            default:
                current.append(byte)
                inWord = true
            }
        }
        if inWord { words.append(String(decoding: current, as: UTF8.self)) }
        return words
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
    private static func segments(of words: [String]) -> [[String]] {
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
