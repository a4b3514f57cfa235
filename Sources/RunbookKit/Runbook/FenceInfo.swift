import Foundation

/// A fenced code block's info string, parsed: the language and the Runme-style step attributes.
///
/// Both Runme forms are accepted: `bash {id=check-pods risk=read timeout=30s}` and
/// `sh {"name":"check-pods","risk":"read"}`. Problems carry the UTF-8 offset of the offending text within the
/// info string, so the parser can report `file:line:col`.
public struct FenceInfo: Sendable, Hashable {
    /// A problem found in the info string.
    public struct Problem: Sendable, Hashable {
        /// UTF-8 offset within the info string.
        public var offset: Int
        public var severity: Diagnostic.Level
        public var message: String
        public var hint: String?
    }

    /// The languages whose blocks are steps.
    public static let stepLanguages: Set<String> = ["sh", "bash", "shell", "zsh", "console"]

    /// The names `FenceInfo` understands, for hints.
    public static let attributeNames = [
        "id", "name", "risk", "timeout", "expect", "capture", "interactive", "env", "on-fail", "cwd", "ignore", "ack",
    ]

    /// Runme's cell attributes that are not in `attributeNames`: known, so never "unknown". See
    /// docs/runbook-format.md, "Coming from Runme or plain Markdown", for what each does here.
    public static let runmeAttributeNames = [
        "background", "promptEnv", "excludeFromRunme", "excludeFromRunAll", "closeTerminalOnSuccess", "terminalRows",
        "mimeType", "interpreter", "category", "tag", "transform",
    ]

    /// Shells `interpreter` may name to run the step with (by name or as the last part of a path).
    public static let interpreterShells: Set<String> = ["sh", "bash", "zsh", "dash", "ksh"]

    /// The fence language, lower-cased (`bash`); empty when the fence has none.
    public var language: String
    public var attributes: StepAttributes
    /// Whether the info string had an attribute block at all.
    public var hasAttributes: Bool
    public var problems: [Problem]

    /// Whether a block with this info string is a step (a shell language and not `ignore`).
    public var isStep: Bool { FenceInfo.stepLanguages.contains(language) && !attributes.ignore }

    /// Parses an info string as cmark-gfm returns it.
    public init(parsing info: String) {
        let bytes = Array(info.utf8)
        var index = 0
        while index < bytes.count, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t") {
            index += 1
        }
        let languageStart = index
        while index < bytes.count, !Self.isSpace(bytes[index]), bytes[index] != UInt8(ascii: "{") { index += 1 }
        language = String(decoding: bytes[languageStart..<index], as: UTF8.self).lowercased()
        attributes = StepAttributes()
        problems = []
        hasAttributes = false
        while index < bytes.count, Self.isSpace(bytes[index]) { index += 1 }
        guard index < bytes.count else { return }
        guard bytes[index] == UInt8(ascii: "{") else {
            problems.append(
                Problem(
                    offset: index, severity: .warning,
                    message: "text after the language is not an attribute block",
                    hint: "write attributes in braces: ```bash {id=check-pods risk=read}"))
            return
        }
        hasAttributes = true
        var pairs: [Pair] = []
        var scan = index + 1
        while scan < bytes.count, Self.isSpace(bytes[scan]) { scan += 1 }
        if scan < bytes.count, bytes[scan] == UInt8(ascii: "\"") {
            pairs = parseJSON(bytes, from: index)
        } else {
            pairs = parseKeyValues(bytes, from: index)
        }
        apply(pairs)
    }

    /// One attribute as written: `key=value`, or a bare `key` (value nil). A struct rather than a tuple: an array
    /// of labelled tuples passed where unlabelled ones are expected is converted element by element at run time.
    private struct Pair {
        var key: String
        var value: String?
        var offset: Int
        init(_ key: String, _ value: String?, _ offset: Int) {
            self.key = key
            self.value = value
            self.offset = offset
        }
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }

    /// `{id=x risk=read name="two words" interactive}`: space-separated, values optionally quoted.
    private mutating func parseKeyValues(_ bytes: [UInt8], from open: Int) -> [Pair] {
        var pairs: [Pair] = []
        pairs.reserveCapacity(6)
        var index = open + 1
        while true {
            while index < bytes.count, Self.isSpace(bytes[index]) || bytes[index] == UInt8(ascii: ",") {
                index += 1
            }
            guard index < bytes.count else {
                problems.append(
                    Problem(
                        offset: open, severity: .error, message: "attribute block is not closed",
                        hint: "end the attributes with `}`"))
                return pairs
            }
            if bytes[index] == UInt8(ascii: "}") {
                let rest = bytes[(index + 1)...].drop(while: Self.isSpace)
                if !rest.isEmpty {
                    problems.append(
                        Problem(
                            offset: index + 1 + (bytes.count - index - 1 - rest.count), severity: .error,
                            message: "unexpected text after the attribute block",
                            hint: "put every attribute inside the braces"))
                }
                return pairs
            }
            let keyStart = index
            while index < bytes.count, !Self.isSpace(bytes[index]), bytes[index] != UInt8(ascii: "="),
                bytes[index] != UInt8(ascii: "}")
            {
                index += 1
            }
            let key = String(decoding: bytes[keyStart..<index], as: UTF8.self)
            guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else {
                pairs.append(Pair(key, nil, keyStart))
                continue
            }
            index += 1
            var value = ""
            if index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") {
                let quote = bytes[index]
                let valueStart = index + 1
                index += 1
                while index < bytes.count, bytes[index] != quote { index += 1 }
                guard index < bytes.count else {
                    problems.append(
                        Problem(
                            offset: valueStart - 1, severity: .error, message: "quoted value of `\(key)` is not closed",
                            hint: "close the quote"))
                    return pairs
                }
                value = String(decoding: bytes[valueStart..<index], as: UTF8.self)
                index += 1
            } else {
                let valueStart = index
                while index < bytes.count, !Self.isSpace(bytes[index]), bytes[index] != UInt8(ascii: "}") {
                    index += 1
                }
                value = String(decoding: bytes[valueStart..<index], as: UTF8.self)
            }
            pairs.append(Pair(key, value, keyStart))
        }
    }

    /// `{"name":"x","interactive":true,"expect":[0,1]}`: Runme's JSON form. Values become strings.
    private mutating func parseJSON(_ bytes: [UInt8], from open: Int) -> [Pair] {
        var end = bytes.count
        while end > open, Self.isSpace(bytes[end - 1]) { end -= 1 }
        let json = String(decoding: bytes[open..<end], as: UTF8.self)
        guard case .object(let object)? = try? JSONValue(parsing: json) else {
            problems.append(
                Problem(
                    offset: open, severity: .error, message: "attribute block is not valid JSON",
                    hint: #"write {"id":"check-pods","risk":"read"} or {id=check-pods risk=read}"#))
            return []
        }
        // JSON objects are unordered; report in the order the keys appear in the text for stable output.
        let text = String(decoding: bytes, as: UTF8.self)
        return object.map { key, value -> (String, String?, Int, Int) in
            let offset = text.range(of: "\"\(key)\"").map {
                text.utf8.distance(from: text.startIndex, to: $0.lowerBound)
            }
            let stringValue: String?
            switch value {
            case .string(let string): stringValue = string
            case .bool(let bool): stringValue = bool ? "true" : "false"
            case .int(let int): stringValue = String(int)
            case .double(let double): stringValue = String(double)
            case .array(let elements):
                stringValue = elements.map { element -> String in
                    switch element {
                    case .string(let string): return string
                    case .int(let int): return String(int)
                    default: return element.canonicalString
                    }
                }.joined(separator: ",")
            case .null: stringValue = nil
            case .object: stringValue = value.canonicalString
            }
            return (key, stringValue, offset ?? open, offset ?? Int.max)
        }
        .sorted { $0.3 < $1.3 }
        .map { Pair($0.0, $0.1, $0.2) }
    }

    private mutating func apply(_ pairs: [Pair]) {
        // A handful of keys at most: a linear search is cheaper than hashing them.
        var seen: [String] = []
        seen.reserveCapacity(pairs.count)
        for pair in pairs {
            let (key, value, offset) = (pair.key, pair.value, pair.offset)
            let repeated = seen.contains(key)
            if !repeated { seen.append(key) }
            if repeated, FenceInfo.attributeNames.contains(key) || FenceInfo.runmeAttributeNames.contains(key) {
                problems.append(
                    Problem(
                        offset: offset, severity: .warning, message: "attribute `\(key)` is given more than once",
                        hint: "keep one; the last one wins"))
            }
            func bad(_ message: String, _ hint: String) {
                problems.append(Problem(offset: offset, severity: .error, message: message, hint: hint))
            }
            func required() -> String? {
                guard let value, !value.isEmpty else {
                    bad("attribute `\(key)` needs a value", "write `\(key)=…`")
                    return nil
                }
                return value
            }
            func flag() -> Bool? {
                switch value?.lowercased() {
                case nil, "", "true", "yes", "1": return true
                case "false", "no", "0": return false
                default:
                    bad("`\(key)` must be true or false, not `\(value ?? "")`", "write `\(key)` or `\(key)=false`")
                    return nil
                }
            }
            switch key {
            case "id":
                guard let value = required() else { continue }
                if value.contains(where: { $0.isWhitespace || $0 == "#" }) {
                    bad("step id `\(value)` contains spaces or `#`", "use letters, digits and hyphens: check-pods")
                } else {
                    attributes.id = value
                }
            case "name":
                // Runme's name: a person's handle for the cell, which may hold spaces; `id` is a separate key.
                guard let value = required() else { continue }
                attributes.name = value
            case "background":
                guard let flag = flag() else { continue }
                attributes.background = flag
            case "excludeFromRunme":
                guard let flag = flag() else { continue }
                if flag { attributes.ignore = true }
            case "promptEnv":
                attributes.promptEnv = value ?? "true"
            case "category", "tag":
                let tags = (value ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                    .filter { !$0.isEmpty }
                for tag in tags where !attributes.tags.contains(tag) { attributes.tags.append(tag) }
            case "interpreter":
                guard let value = required() else { continue }
                attributes.recorded.append(RecordedAttribute(key: key, value: value))
                if let shell = Self.supportedShell(value) { attributes.shell = shell }
            case "excludeFromRunAll", "closeTerminalOnSuccess", "terminalRows", "mimeType", "transform":
                attributes.recorded.append(RecordedAttribute(key: key, value: value ?? "true"))
            case "risk":
                guard let value = required() else { continue }
                if let risk = Risk(rawValue: value.lowercased()) {
                    attributes.risk = risk
                } else {
                    bad("unknown risk `\(value)`", "use risk=read, risk=change or risk=destructive")
                }
            case "timeout":
                guard let value = required() else { continue }
                if let seconds = parseTimeout(value) {
                    attributes.timeout = seconds
                } else {
                    bad("timeout `\(value)` is not a duration", "use seconds or units: 30s, 5m, 1h, 1h30m")
                }
            case "expect":
                guard let value = required() else { continue }
                let codes = value.split(separator: ",").map { Int32($0.trimmingCharacters(in: .whitespaces)) }
                if codes.isEmpty || codes.contains(where: { $0 == nil || $0! < 0 || $0! > 255 }) {
                    bad(
                        "expect `\(value)` is not a list of exit codes",
                        "use exit codes 0–255, comma-separated: expect=0,1")
                } else {
                    attributes.expect = Set(codes.map { $0! })
                }
            case "capture":
                guard let value = required() else { continue }
                if VariableReferences.isReserved(value) {
                    bad(
                        "capture `\(value)`: " + VariableReferences.reservedReason(value),
                        "capture into a name of your own: capture=POD_NAME")
                } else if VariableReferences.isValidName(value) {
                    attributes.capture = value
                } else {
                    bad(
                        "capture `\(value)` is not a variable name",
                        "use letters, digits and `_`, not starting with a digit: capture=POD_NAME")
                }
            case "interactive", "ignore":
                guard let flag = flag() else { continue }
                if key == "interactive" { attributes.interactive = flag } else { attributes.ignore = flag }
            case "env":
                guard let value = required() else { continue }
                let environments = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                    .filter { !$0.isEmpty }
                if environments.isEmpty {
                    bad("`env` names no environment", "write env=production,staging")
                } else {
                    attributes.environments = environments
                }
            case "on-fail":
                guard let value = required() else { continue }
                // Read here by the one link reader, so a target the session could not follow is an error at its
                // column (and the runbook is refused by `start`) instead of a surprise after a failed command.
                if case .failure(let error) = LinkTarget.parse(value, as: .stepOrLink) {
                    bad("on-fail " + error.message, error.hint)
                } else {
                    attributes.onFail = value
                }
            case "cwd":
                guard let value = required() else { continue }
                attributes.cwd = value
            case "ack":
                guard let flag = flag() else { continue }
                attributes.acknowledges = flag
            default:
                // A warning, never a reason to refuse the runbook: other tools put their own keys here.
                let suggestion = FenceInfo.attributeNames.first { Self.isCloseSpelling(key, $0) }
                problems.append(
                    Problem(
                        offset: offset, severity: .warning, message: "unknown attribute `\(key)`",
                        hint: suggestion.map {
                            "did you mean `\($0)`? Supported: \(FenceInfo.attributeNames.joined(separator: ", "))"
                        }
                            ?? "supported: \(FenceInfo.attributeNames.joined(separator: ", "))"))
            }
        }
    }

    /// The shell `interpreter` names, when it is one that runs steps here: `bash`, `/usr/bin/zsh`, `bash -e`.
    static func supportedShell(_ interpreter: String) -> String? {
        guard let program = interpreter.split(separator: " ").first else { return nil }
        let name = program.split(separator: "/").last.map(String.init) ?? ""
        return interpreterShells.contains(name) ? String(program) : nil
    }

    /// A cheap "did you mean": same letters give or take one edit (`timout`, `risks`, `onfail`).
    static func isCloseSpelling(_ a: String, _ b: String) -> Bool {
        let x = Array(a.lowercased().filter { $0 != "-" && $0 != "_" })
        let y = Array(b.filter { $0 != "-" })
        if x == y { return true }
        guard abs(x.count - y.count) <= 1, x.count >= 2 else { return false }
        var previous = Array(0...y.count)
        for i in 1...x.count {
            var current = [i] + Array(repeating: 0, count: y.count)
            for j in 1...max(y.count, 1) where y.count > 0 {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[y.count] <= 1
    }
}
