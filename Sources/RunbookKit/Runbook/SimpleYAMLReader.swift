/// A fast reader for the small YAML subset runbook front matter is written in; `nil` means "ask Yams".
///
/// Yams (libyaml, then a Swift node tree whose tags are resolved with regular expressions) costs more than
/// parsing the whole Markdown body. Front matter is almost always block mappings of `key: value` lines whose
/// values are plain or quoted one-line scalars and one-line flow lists and maps, so this reader handles exactly
/// that and returns the same tree Yams would, marks included. Anything else — comments aside, any construct
/// it does not know, a tab, a CR, a duplicate key, an escape sequence, a value continued on another line, an
/// empty value — makes it give up, and Yams reads the text with its own results and error messages.
enum SimpleYAMLReader {
    /// The tree of `yaml`, or nil when the text is outside the subset (including when it is not valid YAML).
    static func read(_ yaml: Substring) -> FrontMatterNode? {
        var reader = Reader(bytes: Array(yaml.utf8))
        return reader?.document()
    }

    /// The keys of one mapping so far, to give up on a repeated one. Mappings are small, and for a few keys a
    /// linear search is cheaper than hashing; a large one switches to a set.
    private struct KeysSeen {
        private var few: [String] = []
        private var many: Set<String>?

        /// Whether `key` is new (and now seen).
        mutating func insert(_ key: String) -> Bool {
            if many != nil { return many!.insert(key).inserted }
            if few.contains(key) { return false }
            few.append(key)
            if few.count > 16 { many = Set(few) }
            return true
        }
    }

    private struct Reader {
        let bytes: [UInt8]
        /// Start and end (before the newline) of every line.
        var lines: [(start: Int, end: Int)] = []
        /// The next line to read.
        var current = 0

        init?(bytes: [UInt8]) {
            self.bytes = bytes
            guard Self.isSafe(bytes) else { return nil }
            var start = 0
            for index in bytes.indices where bytes[index] == UInt8(ascii: "\n") {
                lines.append((start, index))
                start = index + 1
            }
            if start < bytes.count { lines.append((start, bytes.count)) }
        }

        /// Only characters libyaml reads as ordinary printable text: no tabs, CRs, control characters, byte
        /// order marks, Unicode line separators, or (to stay on the safe side) anything beyond the BMP.
        private static func isSafe(_ bytes: [UInt8]) -> Bool {
            var index = 0
            let count = bytes.count
            while index < count {
                let byte = bytes[index]
                if byte < 0x80 {
                    if byte < 0x20 && byte != UInt8(ascii: "\n") || byte == 0x7F { return false }
                    index += 1
                    continue
                }
                // The text is valid UTF-8 already (the parser checked), so lead bytes give the length.
                let second = index + 1 < count ? bytes[index + 1] : 0
                let third = index + 2 < count ? bytes[index + 2] : 0
                switch byte {
                case 0xC2:
                    guard second >= 0xA0 else { return false }  // C1 controls, NEL
                    index += 2
                case 0xC3...0xDF:
                    index += 2
                case 0xE2:
                    if second == 0x80, third == 0xA8 || third == 0xA9 { return false }  // LS, PS
                    index += 3
                case 0xE0...0xEE:
                    index += 3
                case 0xEF:
                    if second == 0xBB && third == 0xBF || second == 0xBF && (third == 0xBE || third == 0xBF) {
                        return false
                    }
                    index += 3
                default:
                    return false
                }
            }
            return true
        }

        // MARK: Block structure

        mutating func document() -> FrontMatterNode? {
            skipBlankLines()
            guard current < lines.count, indentation(of: current) == 0 else { return nil }
            guard let root = blockMapping(indentation: 0) else { return nil }
            skipBlankLines()
            return current == lines.count ? root : nil
        }

        /// Skips empty lines, lines of spaces and whole-line comments.
        private mutating func skipBlankLines() {
            while current < lines.count {
                let (start, end) = lines[current]
                var index = start
                while index < end, bytes[index] == UInt8(ascii: " ") { index += 1 }
                guard index == end || bytes[index] == UInt8(ascii: "#") else { return }
                current += 1
            }
        }

        private func indentation(of line: Int) -> Int {
            let (start, end) = lines[line]
            var index = start
            while index < end, bytes[index] == UInt8(ascii: " ") { index += 1 }
            return index - start
        }

        /// `key: value` lines at exactly `indentation` spaces, until a line with less.
        private mutating func blockMapping(indentation: Int) -> FrontMatterNode? {
            let mappingLine = current + 1
            var pairs: [FrontMatterNode.Pair] = []
            var keys = KeysSeen()
            while true {
                skipBlankLines()
                guard current < lines.count else { break }
                let lineIndentation = self.indentation(of: current)
                if lineIndentation < indentation { break }
                guard lineIndentation == indentation else { return nil }
                let (start, end) = lines[current]
                var index = start + indentation
                guard let key = plainKey(&index, end: end), keys.insert(key) else { return nil }
                // `key:` then the end of the line or a space.
                guard index < end, bytes[index] == UInt8(ascii: ":") else { return nil }
                index += 1
                guard index == end || bytes[index] == UInt8(ascii: " ") else { return nil }
                let keyNode = FrontMatterNode.scalar(key, plain: true, line: current + 1, column: indentation + 1)
                skipSpaces(&index, end: end)
                let value: FrontMatterNode
                if index == end || bytes[index] == UInt8(ascii: "#") {
                    // The value is a nested mapping on the following, deeper lines (an empty value gives up).
                    current += 1
                    skipBlankLines()
                    guard current < lines.count else { return nil }
                    let nested = self.indentation(of: current)
                    guard nested > indentation, let mapping = blockMapping(indentation: nested) else { return nil }
                    value = mapping
                } else {
                    guard let inline = blockValue(&index, end: end), atEndOfLine(index, end: end) else { return nil }
                    value = inline
                    current += 1
                }
                pairs.append(FrontMatterNode.Pair(key: keyNode, value: value))
            }
            guard !pairs.isEmpty else { return nil }
            return .collection(.mapping(pairs), line: mappingLine, column: indentation + 1)
        }

        /// A value after `key: ` on the same line: a quoted scalar, a one-line flow list or map, or plain text
        /// to the end of the line (or a ` #` comment).
        private mutating func blockValue(_ index: inout Int, end: Int) -> FrontMatterNode? {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") || byte == UInt8(ascii: "[")
                || byte == UInt8(ascii: "{")
            {
                return flowNode(&index, end: end)
            }
            guard !Self.isIndicator(byte) else { return nil }
            let start = index
            var last = index  // one past the last non-space byte
            while index < end {
                let character = bytes[index]
                if character == UInt8(ascii: "#"), bytes[index - 1] == UInt8(ascii: " ") { break }
                if character == UInt8(ascii: ":"), index + 1 == end || bytes[index + 1] == UInt8(ascii: " ") {
                    return nil  // `a: b: c` is not valid YAML
                }
                index += 1
                if character != UInt8(ascii: " ") { last = index }
            }
            index = last
            return .scalar(text(start, last), plain: true, line: current + 1, column: column(of: start))
        }

        /// Nothing but spaces and perhaps a comment (after a space) before the end of the line.
        private func atEndOfLine(_ index: Int, end: Int) -> Bool {
            var position = index
            skipSpaces(&position, end: end)
            if position == end { return true }
            return bytes[position] == UInt8(ascii: "#") && position > index
        }

        // MARK: Flow collections and scalars (one line)

        private mutating func flowNode(_ index: inout Int, end: Int) -> FrontMatterNode? {
            guard index < end else { return nil }
            let start = index
            switch bytes[index] {
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                let quote = bytes[index]
                index += 1
                let contentStart = index
                while index < end, bytes[index] != quote {
                    // Escapes (`\n`, `''`) are Yams' business.
                    if bytes[index] == UInt8(ascii: "\\") && quote == UInt8(ascii: "\"") { return nil }
                    index += 1
                }
                guard index < end else { return nil }
                let contentEnd = index
                index += 1
                if quote == UInt8(ascii: "'"), index < end, bytes[index] == quote { return nil }
                return .scalar(
                    text(contentStart, contentEnd), plain: false, line: current + 1, column: column(of: start))
            case UInt8(ascii: "["):
                index += 1
                var elements: [FrontMatterNode] = []
                skipSpaces(&index, end: end)
                if index < end, bytes[index] == UInt8(ascii: "]") {
                    index += 1
                } else {
                    while true {
                        guard let element = flowNode(&index, end: end) else { return nil }
                        elements.append(element)
                        guard let closed = flowSeparator(&index, end: end, close: UInt8(ascii: "]")) else {
                            return nil
                        }
                        if closed { break }
                    }
                }
                return .collection(.sequence(elements), line: current + 1, column: column(of: start))
            case UInt8(ascii: "{"):
                index += 1
                var pairs: [FrontMatterNode.Pair] = []
                var keys = KeysSeen()
                skipSpaces(&index, end: end)
                if index < end, bytes[index] == UInt8(ascii: "}") {
                    index += 1
                } else {
                    while true {
                        let keyStart = index
                        guard let key = plainKey(&index, end: end), keys.insert(key),
                            index + 1 < end, bytes[index] == UInt8(ascii: ":"), bytes[index + 1] == UInt8(ascii: " ")
                        else { return nil }
                        let keyNode = FrontMatterNode.scalar(
                            key, plain: true, line: current + 1, column: column(of: keyStart))
                        index += 1
                        skipSpaces(&index, end: end)
                        guard let value = flowNode(&index, end: end) else { return nil }
                        pairs.append(FrontMatterNode.Pair(key: keyNode, value: value))
                        guard let closed = flowSeparator(&index, end: end, close: UInt8(ascii: "}")) else {
                            return nil
                        }
                        if closed { break }
                    }
                }
                return .collection(.mapping(pairs), line: current + 1, column: column(of: start))
            default:
                // Plain text inside `[…]` or `{…}`: up to `,`, `]` or `}`, without anything that could mean more.
                guard !Self.isIndicator(bytes[index]) else { return nil }
                var last = index
                while index < end {
                    let byte = bytes[index]
                    if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}") { break }
                    switch byte {
                    case UInt8(ascii: ":"), UInt8(ascii: "#"), UInt8(ascii: "["), UInt8(ascii: "{"),
                        UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "?"):
                        return nil
                    default:
                        break
                    }
                    index += 1
                    if byte != UInt8(ascii: " ") { last = index }
                }
                index = last
                return .scalar(text(start, last), plain: true, line: current + 1, column: column(of: start))
            }
        }

        /// After a flow element: `,` and another element (true = not closed), or the closing bracket (true).
        /// Nil for anything else, a trailing comma included.
        private func flowSeparator(_ index: inout Int, end: Int, close: UInt8) -> Bool? {
            skipSpaces(&index, end: end)
            guard index < end else { return nil }
            if bytes[index] == close {
                index += 1
                return true
            }
            guard bytes[index] == UInt8(ascii: ",") else { return nil }
            index += 1
            skipSpaces(&index, end: end)
            guard index < end, bytes[index] != close else { return nil }
            return false
        }

        // MARK: Pieces

        /// A key of letters, digits, `_`, `-` and `.`, starting with a letter, digit or `_`.
        private func plainKey(_ index: inout Int, end: Int) -> String? {
            let start = index
            guard index < end, Self.isKeyStart(bytes[index]) else { return nil }
            index += 1
            while index < end,
                Self.isKeyStart(bytes[index]) || bytes[index] == UInt8(ascii: "-")
                    || bytes[index] == UInt8(ascii: ".")
            {
                index += 1
            }
            return text(start, index)
        }

        private static func isKeyStart(_ byte: UInt8) -> Bool {
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39)
                || byte == UInt8(ascii: "_")
        }

        /// Characters that give a plain scalar's first character a meaning of its own.
        private static func isIndicator(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "-"), UInt8(ascii: "?"), UInt8(ascii: ":"), UInt8(ascii: ","), UInt8(ascii: "["),
                UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "#"), UInt8(ascii: "&"),
                UInt8(ascii: "*"), UInt8(ascii: "!"), UInt8(ascii: "|"), UInt8(ascii: ">"), UInt8(ascii: "'"),
                UInt8(ascii: "\""), UInt8(ascii: "%"), UInt8(ascii: "@"), UInt8(ascii: "`"), UInt8(ascii: " "):
                return true
            default:
                return false
            }
        }

        private func skipSpaces(_ index: inout Int, end: Int) {
            while index < end, bytes[index] == UInt8(ascii: " ") { index += 1 }
        }

        private func text(_ start: Int, _ end: Int) -> String {
            String(decoding: bytes[start..<end], as: UTF8.self)
        }

        /// libyaml's 1-based column of byte `index` on the current line: it counts characters, not bytes.
        private func column(of index: Int) -> Int {
            var column = 1
            for byte in bytes[lines[current].start..<index] where byte & 0xC0 != 0x80 { column += 1 }
            return column
        }
    }
}
