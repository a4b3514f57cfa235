import Foundation

/// Finds the variables a shell command reads and the ones it assigns itself.
///
/// This is a scanner for the shell subset runbooks use, not a shell parser: it skips single-quoted text,
/// comments and `\$`, and reads `$NAME` and `${NAME…}`. Positional and special parameters (`$1`, `$?`, `$@`)
/// are not variables.
public enum VariableReferences {
    /// Whether `name` is a shell variable name: a letter or `_`, then letters, digits or `_`.
    public static func isValidName(_ name: some StringProtocol) -> Bool {
        ShellVariableName.isValid(name)
    }

    /// Names that change how a shell, the dynamic loader or an interpreter behaves before the displayed command
    /// runs (`BASH_ENV` sources a file, `LD_PRELOAD` loads a library, `PATH` picks which `kubectl` runs). A runbook
    /// may not declare them, capture into them or `set` them: what the responder approves must be what runs.
    public static let reservedNames: Set<String> = [
        "PATH", "HOME", "ENV", "BASH_ENV", "IFS", "PS4", "SHELLOPTS", "BASHOPTS", "PROMPT_COMMAND", "CDPATH",
        "GLOBIGNORE", "BASH_XTRACEFD", "BASH_LOADABLES_PATH", "INPUTRC", "PYTHONPATH", "PYTHONSTARTUP",
        "PYTHONHOME", "PERL5LIB", "PERL5OPT", "RUBYLIB", "RUBYOPT", "NODE_OPTIONS", "GCONV_PATH",
    ]

    /// Prefixes of reserved names: the loader's `LD_*` (and macOS's `DYLD_*`), and `BASH_FUNC_*`, which bash
    /// imports as function definitions.
    public static let reservedPrefixes = ["LD_", "DYLD_", "BASH_FUNC_"]

    /// Whether `name` is one of `reservedNames` or starts with one of `reservedPrefixes`.
    public static func isReserved(_ name: some StringProtocol) -> Bool {
        let name = String(name)
        return reservedNames.contains(name) || reservedPrefixes.contains { name.hasPrefix($0) }
    }

    /// Why a reserved `name` is refused, for errors at every place a name can be given.
    public static func reservedReason(_ name: some StringProtocol) -> String {
        "`\(name)` changes how the shell or the loader behaves before the command runs, so a runbook may not set it"
    }

    static func isNameStart(_ byte: UInt8) -> Bool { ShellVariableName.isStart(byte) }

    static func isNameByte(_ byte: UInt8) -> Bool { ShellVariableName.isByte(byte) }

    /// The variables `command` reads with no fallback of its own, in order of first use, each once: a name read
    /// only as `${NAME-word}`, `${NAME:-word}`, `${NAME=word}`, `${NAME+word}`, `${NAME?word}` (and their `:`
    /// forms) says what happens when it is unset, so nobody needs to be asked for it.
    public static func namesWithoutFallback(in command: String) -> [String] {
        let bytes = Array(command.utf8)
        var names: [String] = []
        var seen: Set<String> = []
        forEachReference(in: command) { name, offset in
            guard !seen.contains(name) else { return }
            if offset + 1 < bytes.count, bytes[offset + 1] == UInt8(ascii: "{") {
                var after = offset + 2 + name.utf8.count
                if bytes[offset + 2] == UInt8(ascii: "#") { after += 1 }
                if after < bytes.count, bytes[after] == UInt8(ascii: ":") { after += 1 }
                if after < bytes.count, "-=+?".utf8.contains(bytes[after]) { return }
            }
            seen.insert(name)
            names.append(name)
        }
        return names
    }

    /// The variables `command` reads, in order of first use, each once.
    public static func names(in command: String) -> [String] {
        var names: [String] = []
        var seen: Set<String> = []
        forEachReference(in: command) { name, _ in
            if seen.insert(name).inserted { names.append(name) }
        }
        return names
    }

    /// Calls `body` with each variable read in `command` and its UTF-8 offset (of the `$`).
    public static func forEachReference(in command: String, _ body: (String, Int) -> Void) {
        let bytes = Array(command.utf8)
        var index = 0
        var inDoubleQuotes = false
        var atWordStart = true
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\\"):
                index += 2
                atWordStart = false
                continue
            case UInt8(ascii: "'") where !inDoubleQuotes:
                // Single quotes: nothing inside is expanded.
                index += 1
                while index < bytes.count, bytes[index] != UInt8(ascii: "'") { index += 1 }
                index += 1
                atWordStart = false
                continue
            case UInt8(ascii: "\""):
                inDoubleQuotes.toggle()
            case UInt8(ascii: "#") where atWordStart && !inDoubleQuotes:
                // A comment runs to the end of the line.
                while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
                continue
            case UInt8(ascii: "$"):
                let start = index
                index += 1
                guard index < bytes.count else { break }
                if bytes[index] == UInt8(ascii: "{") {
                    var nameStart = index + 1
                    // `${#NAME}` is the length of NAME: still a read of NAME.
                    if nameStart < bytes.count, bytes[nameStart] == UInt8(ascii: "#") { nameStart += 1 }
                    var end = nameStart
                    while end < bytes.count, isNameByte(bytes[end]) { end += 1 }
                    if end > nameStart, isNameStart(bytes[nameStart]) {
                        body(String(decoding: bytes[nameStart..<end], as: UTF8.self), start)
                    }
                    index = end
                    atWordStart = false
                    continue
                }
                if isNameStart(bytes[index]) {
                    var end = index
                    while end < bytes.count, isNameByte(bytes[end]) { end += 1 }
                    body(String(decoding: bytes[index..<end], as: UTF8.self), start)
                    index = end
                    atWordStart = false
                    continue
                }
                atWordStart = false
                continue
            default:
                break
            }
            atWordStart = isWordBoundary(byte)
            index += 1
        }
    }

    private static func isWordBoundary(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: ";"), UInt8(ascii: "&"),
            UInt8(ascii: "|"), UInt8(ascii: "("), UInt8(ascii: ")"):
            return true
        default: return false
        }
    }

    /// The guard a `promptEnv` step puts before `export NAME=literal`: the line sets NAME only when the session
    /// did not pass it in (`[ -n "${NAME+set}" ] || export NAME=literal`).
    public static func unsetGuard(_ name: String) -> String { "[ -n \"${\(name)+set}\" ] ||" }

    /// The variables `command` sets itself, so the linter does not ask for them to be declared:
    /// `NAME=…` (also after `export`, `local`, `readonly`, `declare`), `for NAME in`, `read [-r] NAME…`,
    /// and `while read NAME`. A name behind `unsetGuard` is not one of them: the session asks for it.
    public static func assignedNames(in command: String) -> Set<String> {
        var names: Set<String> = []
        for words in wordsByLine(command) {
            var index = 0
            var commandPosition = true
            while index < words.count {
                let word = words[index]
                if ["export", "local", "readonly", "declare", "typeset"].contains(word) {
                    index += 1
                    commandPosition = true
                    // Options of declare/local (`-r`, `-x`) and bare names (`export NAME`) count too.
                    while index < words.count, words[index].hasPrefix("-") { index += 1 }
                    while index < words.count {
                        let candidate = words[index].split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
                        guard isValidName(candidate) else { break }
                        names.insert(candidate)
                        index += 1
                    }
                    continue
                }
                if commandPosition, let equals = word.firstIndex(of: "="), isValidName(word[..<equals]) {
                    names.insert(String(word[..<equals]))
                    index += 1
                    continue
                }
                if word == "for", index + 1 < words.count, isValidName(words[index + 1]) {
                    names.insert(words[index + 1])
                    index += 2
                    commandPosition = false
                    continue
                }
                if word == "read" {
                    index += 1
                    while index < words.count, !isSeparator(words[index]) {
                        let argument = words[index]
                        if argument.hasPrefix("-") {
                            // -p, -d, -t, -n, -u and -a take a value.
                            if ["-p", "-d", "-t", "-n", "-N", "-u", "-a"].contains(argument) {
                                if argument == "-a", index + 1 < words.count { names.insert(words[index + 1]) }
                                index += 1
                            }
                        } else if isValidName(argument) {
                            names.insert(argument)
                        }
                        index += 1
                    }
                    continue
                }
                commandPosition =
                    isSeparator(word) || ["do", "then", "else", "{", "(", "if", "while", "until", "!"].contains(word)
                index += 1
            }
        }
        // A name set only when unset (`promptEnv`'s rewrite) is an input of the step, not something it sets.
        return names.filter { !command.contains(unsetGuard($0)) }
    }

    /// The variables `command` exports, which later steps get (docs/execution.md, "Exported variables"):
    /// the names after `export` (`export NAME=…`, `export NAME`, not `export -n`), and after `declare` or `typeset`
    /// with an `x` option (`declare -x NAME=…`).
    public static func exportedNames(in command: String) -> Set<String> {
        // Most commands export nothing: skip splitting them into words.
        guard command.contains("export") || command.contains("declare") || command.contains("typeset") else {
            return []
        }
        var names: Set<String> = []
        for words in wordsByLine(command) {
            var index = 0
            while index < words.count {
                let word = words[index]
                index += 1
                guard ["export", "declare", "typeset"].contains(word) else { continue }
                var options = ""
                while index < words.count, words[index].hasPrefix("-") {
                    options += words[index].dropFirst()
                    index += 1
                }
                let exports = word == "export" ? !options.contains("n") : options.contains("x")
                while index < words.count {
                    let candidate = words[index].split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
                    guard isValidName(candidate) else { break }
                    if exports { names.insert(candidate) }
                    index += 1
                }
            }
        }
        return names
    }

    /// The variables a statement of assignments alone sets at the top of `command` (`NODE=$(oc get nodes -o name)`,
    /// `A=1 B=2`): the session passes them to the steps after this one, as a terminal keeps them for the next
    /// command pasted into it (docs/execution.md, "Variables that carry over"). An assignment before a command
    /// (`IFS= read -r line`, `KUBECONFIG=x oc get pods`) is that command's environment and is not one of them, nor
    /// is a name behind `unsetGuard`.
    public static func standaloneAssignedNames(in command: String) -> Set<String> {
        guard command.contains("=") else { return [] }
        var names: Set<String> = []
        for words in wordsByLine(command) {
            var index = 0
            var commandPosition = true
            while index < words.count {
                guard commandPosition else {
                    commandPosition = isSeparator(words[index]) || ["{", "(", "!"].contains(words[index])
                    index += 1
                    continue
                }
                var assigned: [String] = []
                while index < words.count, let equals = words[index].firstIndex(of: "="),
                    isValidName(words[index][..<equals])
                {
                    assigned.append(String(words[index][..<equals]))
                    index += 1
                }
                if !assigned.isEmpty, index == words.count || isSeparator(words[index]) {
                    names.formUnion(assigned)
                }
                commandPosition = false
            }
        }
        return names.filter { !command.contains(unsetGuard($0)) }
    }

    private static func isSeparator(_ word: String) -> Bool {
        [";", "&&", "||", "|", "&", "do", "then"].contains(word)
    }

    /// The words of each non-empty line.
    private static func wordsByLine(_ command: String) -> [[String]] {
        command.split(whereSeparator: { $0 == "\n" }).map(splitWords)
    }

    /// Splits a line into words at blanks, keeping quoted text together and `;`, `&&`, `||`, `|` as words.
    private static func splitWords(_ line: Substring) -> [String] {
        var words: [String] = []
        var current = ""
        var quote: Character?
        func flush() {
            if !current.isEmpty { words.append(current) }
            current = ""
        }
        var iterator = line.makeIterator()
        var pending: Character?
        // Inside `$(…)` or backticks, blanks and separators belong to the word (`NODE=$(oc get nodes)` is one).
        var substitutionDepth = 0
        var inBackticks = false
        while let character = pending ?? iterator.next() {
            pending = nil
            if character == "`", quote != "'" {
                inBackticks.toggle()
                current.append(character)
                continue
            }
            if quote != "'" {
                if character == "(", current.hasSuffix("$") || substitutionDepth > 0 {
                    substitutionDepth += 1
                } else if character == ")", substitutionDepth > 0 {
                    substitutionDepth -= 1
                    current.append(character)
                    continue
                }
            }
            if substitutionDepth > 0 || inBackticks {
                current.append(character)
                continue
            }
            if let open = quote {
                current.append(character)
                if character == open { quote = nil }
                continue
            }
            switch character {
            case "'", "\"":
                quote = character
                current.append(character)
            case " ", "\t":
                flush()
            case "#" where current.isEmpty:
                flush()
                return words
            case ";", "&", "|":
                flush()
                let next = iterator.next()
                if next == character {
                    words.append(String([character, character]))
                } else {
                    words.append(String(character))
                    pending = next
                }
            default:
                current.append(character)
            }
        }
        flush()
        return words
    }
}
