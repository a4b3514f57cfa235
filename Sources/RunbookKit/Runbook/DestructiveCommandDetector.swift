import Foundation

/// Recognises commands that remove or replace things, so the linter can ask for `risk=destructive` and the
/// REPL can colour a warning.
///
/// A heuristic over shell words, not a shell parser. Comments are ignored; a command continued with `\` is
/// read as one line.
public enum DestructiveCommandDetector {
    /// Why `command` looks destructive, one reason per match (empty when it looks harmless).
    public static func reasons(for command: String) -> [String] {
        let possible = ASCIIText.isASCII(command) ? possibleReasons(ascii: command) : .all
        if possible.isEmpty { return [] }
        var reasons: [String] = []
        func add(_ reason: String) {
            if !reasons.contains(reason) { reasons.append(reason) }
        }
        for line in logicalLines(command) {
            for segment in segments(of: line) where possible.contains(.tools) {
                let words = segment
                guard !words.isEmpty else { continue }
                let lowered = words.map { $0.lowercased() }
                if let kubectl = lowered.firstIndex(where: { $0 == "kubectl" || $0.hasSuffix("/kubectl") }) {
                    let rest = Array(lowered[(kubectl + 1)...])
                    if rest.contains("delete") { add("`kubectl delete` removes resources") }
                    if rest.contains("scale"), scalesToZero(rest) {
                        add("`kubectl scale --replicas=0` stops every pod")
                    }
                    if let rollout = rest.firstIndex(of: "rollout"), rest[(rollout + 1)...].contains("undo") {
                        add("`kubectl rollout undo` replaces the running version")
                    }
                }
                if let helm = lowered.firstIndex(where: { $0 == "helm" || $0.hasSuffix("/helm") }) {
                    let rest = lowered[(helm + 1)...]
                    if rest.contains("rollback") { add("`helm rollback` replaces the running release") }
                    if rest.contains("uninstall") || rest.contains("delete") {
                        add("`helm uninstall` removes the release")
                    }
                }
                if let terraform = lowered.firstIndex(where: { $0 == "terraform" || $0.hasSuffix("/terraform") }) {
                    let rest = lowered[(terraform + 1)...]
                    if rest.contains("destroy") {
                        add("`terraform destroy` removes infrastructure")
                    } else if rest.contains("apply") {
                        add("`terraform apply` changes infrastructure")
                    }
                }
            }
            guard possible.contains(.sql) else { continue }
            let upper = line.joined(separator: " ").uppercased()
            if containsSQL(upper, keyword: "DROP", followedBy: sqlObjects) { add("SQL `DROP` deletes data") }
            if containsSQL(upper, keyword: "TRUNCATE", followedBy: nil) { add("SQL `TRUNCATE` deletes data") }
        }
        return reasons
    }

    /// Which kinds of reason a command could give at all.
    private struct PossibleReasons: OptionSet {
        let rawValue: Int
        /// kubectl, helm or terraform with one of their destructive subcommands.
        static let tools = PossibleReasons(rawValue: 1)
        /// SQL `DROP` or `TRUNCATE`.
        static let sql = PossibleReasons(rawValue: 2)
        static let all: PossibleReasons = [.tools, .sql]
    }

    /// The words the reasons are made of. Every reason needs some of them as whole words, and a word is always a
    /// run of the command with only its quote characters taken out, so a word absent from the command with its
    /// quotes removed (ignoring case) rules its reasons out. Each is also preceded by something other than a
    /// letter: a separator, a `/` (`/usr/bin/kubectl`), or for SQL anything but a letter, `_` or `-`.
    private static let keywords = [
        "kubectl", "helm", "terraform", "delete", "scale", "undo", "rollback", "uninstall", "destroy", "apply",
        "drop", "truncate",
    ].map { Array($0.utf8) }

    /// The kinds of reason an ASCII command could give, from one pass over its bytes.
    private static func possibleReasons(ascii command: String) -> PossibleReasons {
        let keywords = Self.keywords  // read once: a static is checked for initialisation at every access
        // Bit n set: some keyword starts with the letter `a` + n. Most bytes start none and are skipped at once.
        var firstLetters: UInt32 = 0
        for keyword in keywords { firstLetters |= 1 << UInt32(keyword[0] - UInt8(ascii: "a")) }
        // Bit n set: keyword n was found.
        var foundBits = 0
        let length = command.utf8.count
        // The command lower-cased with its quote characters taken out, in a scratch buffer (on the stack when small).
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(length, 1)) { buffer in
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
                afterLetter = letter < 26
                guard letter < 26, wordStart, firstLetters >> UInt32(letter) & 1 != 0 else { continue }
                for index in keywords.indices
                where foundBits & (1 << index) == 0 && keywords[index][0] == text[start]
                    && text.count - start >= keywords[index].count
                    && text[start..<(start + keywords[index].count)].elementsEqual(keywords[index])
                {
                    foundBits |= 1 << index
                }
            }
        }
        func found(_ index: Int) -> Bool { foundBits & (1 << index) != 0 }
        let (kubectl, helm, terraform, delete, scale, undo) = (
            found(0), found(1), found(2), found(3), found(4), found(5)
        )
        let (rollback, uninstall, destroy, apply, drop, truncate) = (
            found(6), found(7), found(8), found(9), found(10), found(11)
        )
        var possible: PossibleReasons = []
        if kubectl && (delete || scale || undo) || helm && (rollback || uninstall || delete)
            || terraform && (destroy || apply)
        {
            possible.insert(.tools)
        }
        if drop || truncate { possible.insert(.sql) }
        return possible
    }

    private static let sqlObjects = [
        "TABLE", "DATABASE", "SCHEMA", "INDEX", "VIEW", "USER", "ROLE", "COLUMN", "SEQUENCE", "FUNCTION",
    ]

    private static func scalesToZero(_ words: [String]) -> Bool {
        for (index, word) in words.enumerated() {
            if word == "--replicas=0" { return true }
            if word == "--replicas", index + 1 < words.count, words[index + 1] == "0" { return true }
        }
        return false
    }

    /// Whether `keyword` appears as a word (letters on neither side), optionally followed by one of `objects`.
    private static func containsSQL(_ text: String, keyword: String, followedBy objects: [String]?) -> Bool {
        if ASCIIText.isASCII(text) {
            return containsSQL(ascii: Array(text.utf8), keyword: keyword, followedBy: objects)
        }
        var searchStart = text.startIndex
        while let range = text.range(of: keyword, range: searchStart..<text.endIndex) {
            searchStart = range.upperBound
            let before = range.lowerBound == text.startIndex ? nil : text[text.index(before: range.lowerBound)]
            let after = range.upperBound == text.endIndex ? nil : text[range.upperBound]
            let isWord: (Character?) -> Bool = { $0.map { $0.isLetter || $0 == "_" || $0 == "-" } ?? false }
            guard !isWord(before), !isWord(after) else { continue }
            guard let objects else { return after == " " || after == nil || after == ";" }
            let rest = text[range.upperBound...].drop(while: { $0 == " " })
            if objects.contains(where: { rest.hasPrefix($0) }) { return true }
        }
        return false
    }

    /// `containsSQL` for ASCII text, on bytes: the same search without Foundation's `range(of:)`.
    private static func containsSQL(ascii text: [UInt8], keyword: String, followedBy objects: [String]?) -> Bool {
        let keyword = Array(keyword.utf8)
        guard text.count >= keyword.count else { return false }
        func isWord(_ byte: UInt8) -> Bool {
            (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: "-")
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
