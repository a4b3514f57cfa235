import Foundation

/// Which shell commands only read: the rule `runbook import` marks steps `risk=read` by.
///
/// Conservative by design: a command is read-only when every simple command in it (split on `|`, `&&`, `||`, `;`,
/// `&` and newlines) starts with a command in the tables below, used the way they say; there is no output
/// redirection but `2>&1` and `>/dev/null`; every `$(…)` inside is read-only too; and nothing else that could
/// write appears (backticks, subshells, here-documents, process substitution, loops). Anything unsure is not
/// read-only.
enum ReadOnlyCommands {
    /// Commands that only read, whatever their arguments (within the exceptions of `isReadOnly(words:)`).
    static let plain: Set<String> = [
        "cat", "grep", "egrep", "fgrep", "zgrep", "zcat", "jq", "head", "tail", "ls", "wc", "echo", "printf", "date",
        "ps", "df", "du", "free", "uptime", "dig", "nslookup", "host", "ss", "netstat", "sort", "uniq", "cut", "tr",
        "column", "base64", "whoami", "id", "hostname", "uname", "which", "stat", "file", "true", "nproc", "lsblk",
        "lscpu", "curl", "export", "yq",
    ]

    /// `kubectl` and `oc` subcommands that only read (two words for `auth can-i` and the like).
    static let kubernetesVerbs: Set<String> = [
        "get", "describe", "logs", "top", "explain", "api-resources", "api-versions", "version", "cluster-info",
        "whoami", "auth can-i", "config view", "config get-contexts", "config current-context", "adm top",
        "rollout status", "rollout history",
    ]

    /// `kubectl` and `oc` flags before the subcommand that take the next word as their value.
    static let kubernetesValueFlags: Set<String> = [
        "-n", "--namespace", "--context", "--cluster", "--kubeconfig", "--user", "-s", "--server", "--as",
        "--as-group", "--request-timeout",
    ]

    /// `helm` subcommands that only read.
    static let helmVerbs: Set<String> = ["list", "ls", "status", "history", "get", "show", "search", "version", "env"]

    /// `systemctl` subcommands that only read.
    static let systemctlVerbs: Set<String> = [
        "status", "is-active", "is-enabled", "is-failed", "list-units", "show", "cat",
    ]

    /// Whether every command in `command` only reads.
    static func isReadOnly(_ command: String) -> Bool {
        let bytes = Array(command.utf8)
        guard !bytes.isEmpty else { return false }
        return isReadOnly(bytes, depth: 0) && !bytes.allSatisfy { $0 == 32 || $0 == 10 || $0 == 9 }
    }

    private static func isReadOnly(_ bytes: [UInt8], depth: Int) -> Bool {
        guard depth < 8 else { return false }
        var words: [String] = []
        var word: [UInt8] = []
        var wordStarted = false
        var inSingle = false
        var inDouble = false
        var index = 0
        func endWord() {
            if wordStarted { words.append(String(decoding: word, as: UTF8.self)) }
            word = []
            wordStarted = false
        }
        func endCommand() -> Bool {
            endWord()
            defer { words = [] }
            return isReadOnly(words: words)
        }
        while index < bytes.count {
            let byte = bytes[index]
            if inSingle {
                if byte == UInt8(ascii: "'") { inSingle = false } else { word.append(byte) }
                index += 1
                continue
            }
            switch byte {
            case UInt8(ascii: "\\"):
                if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\n") {
                    index += 2
                    continue
                }
                word.append(contentsOf: bytes[index..<min(index + 2, bytes.count)])
                wordStarted = true
                index += 2
                continue
            case UInt8(ascii: "`"):
                return false
            case UInt8(ascii: "$") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "("):
                guard let close = closingParenthesis(of: bytes, from: index + 2),
                    isReadOnly(Array(bytes[(index + 2)..<close]), depth: depth + 1)
                else { return false }
                word.append(UInt8(ascii: "X"))
                wordStarted = true
                index = close + 1
                continue
            case UInt8(ascii: "\""):
                inDouble.toggle()
                wordStarted = true
            case UInt8(ascii: "'") where !inDouble:
                inSingle = true
                wordStarted = true
            case _ where inDouble:
                word.append(byte)
            case UInt8(ascii: " "), UInt8(ascii: "\t"):
                endWord()
            case UInt8(ascii: "#") where !wordStarted:
                while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
                continue
            case UInt8(ascii: "\n"), UInt8(ascii: ";"), UInt8(ascii: "|"), UInt8(ascii: "&"):
                guard endCommand() else { return false }
            case UInt8(ascii: ">"):
                // `2>&1` and `>/dev/null` write nothing; any other output redirection writes a file.
                if word.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
                    word = []
                    wordStarted = false
                }
                var next = index + 1
                if next < bytes.count, bytes[next] == UInt8(ascii: "&") {
                    next += 1
                    let digits = bytes[next...].prefix { $0 >= 0x30 && $0 <= 0x39 }.count
                    guard digits > 0 else { return false }
                    index = next + digits
                    continue
                }
                while next < bytes.count, bytes[next] == UInt8(ascii: " ") { next += 1 }
                let target = Array("/dev/null".utf8)
                guard bytes.count >= next + target.count, Array(bytes[next..<(next + target.count)]) == target else {
                    return false
                }
                index = next + target.count
                continue
            case UInt8(ascii: "<"):
                // Input redirection reads; a here-document or process substitution is not classified.
                if index + 1 < bytes.count,
                    bytes[index + 1] == UInt8(ascii: "<") || bytes[index + 1] == UInt8(ascii: "(")
                {
                    return false
                }
                endWord()
            case UInt8(ascii: "("), UInt8(ascii: ")"):
                // Subshells, groups and loops are not classified.
                return false
            case UInt8(ascii: "{"), UInt8(ascii: "}"):
                guard wordStarted else { return false }
                word.append(byte)
            default:
                word.append(byte)
                wordStarted = true
            }
            index += 1
        }
        guard !inSingle, !inDouble else { return false }
        return endCommand()
    }

    /// Whether one simple command, split into words, only reads. Leading `NAME=value` assignments set shell
    /// variables only.
    static func isReadOnly(words: [String]) -> Bool {
        let words = words.drop { word in
            guard let equals = word.firstIndex(of: "=") else { return false }
            return VariableReferences.isValidName(word[..<equals])
        }
        guard let first = words.first else { return true }
        let program = first.split(separator: "/").last.map(String.init) ?? first
        let arguments = Array(words.dropFirst())
        switch program {
        case "kubectl", "oc":
            var index = 0
            while index < arguments.count, arguments[index].hasPrefix("-") {
                if arguments[index].contains("=") {
                    index += 1
                } else if kubernetesValueFlags.contains(arguments[index]) {
                    index += 2
                } else {
                    return false
                }
            }
            guard index < arguments.count else { return false }
            let verb = arguments[index]
            let second = index + 1 < arguments.count ? "\(verb) \(arguments[index + 1])" : verb
            return kubernetesVerbs.contains(verb) || kubernetesVerbs.contains(second)
        case "helm":
            return arguments.first { !$0.hasPrefix("-") }.map(helmVerbs.contains) ?? false
        case "systemctl":
            return arguments.first { !$0.hasPrefix("-") }.map(systemctlVerbs.contains) ?? false
        case "curl":
            return isReadOnlyCurl(arguments)
        case "export":
            return arguments.allSatisfy { word in
                let name = word.split(separator: "=", maxSplits: 1).first ?? ""
                return !word.hasPrefix("-") && VariableReferences.isValidName(name)
            }
        case "date":
            return !arguments.contains { $0 == "-s" || $0.hasPrefix("--set") }
        case "hostname":
            return arguments.allSatisfy { $0.hasPrefix("-") }
        case "sort":
            return !arguments.contains { $0.hasPrefix("-o") || $0.hasPrefix("--output") }
        case "yq":
            return !arguments.contains { $0 == "-i" || $0.hasPrefix("--inplace") }
        default:
            return plain.contains(program)
        }
    }

    /// `curl` that only fetches: no request body, upload, method other than GET, or output file.
    private static func isReadOnlyCurl(_ arguments: [String]) -> Bool {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            defer { index += 1 }
            if argument == "-X" || argument == "--request" {
                guard index + 1 < arguments.count, arguments[index + 1].uppercased() == "GET" else { return false }
                index += 1
                continue
            }
            if argument.hasPrefix("-X") {
                if argument.dropFirst(2).uppercased() == "GET" { continue } else { return false }
            }
            if argument.hasPrefix("--") {
                let writes = ["--data", "--json", "--upload-file", "--form", "--output", "--remote-name", "--request"]
                if writes.contains(where: { argument.hasPrefix($0) }) { return false }
            } else if argument.hasPrefix("-"), argument.dropFirst().contains(where: { "dTFoOX".contains($0) }) {
                return false
            }
        }
        return true
    }

    /// The index of the `)` that closes a `$(` whose content starts at `start`, minding quotes and nesting; nil
    /// when it is not closed.
    static func closingParenthesis(of bytes: [UInt8], from start: Int) -> Int? {
        var depth = 1
        var inSingle = false
        var inDouble = false
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if inSingle {
                if byte == UInt8(ascii: "'") { inSingle = false }
            } else if byte == UInt8(ascii: "\\") {
                index += 1
            } else if byte == UInt8(ascii: "\"") {
                inDouble.toggle()
            } else if byte == UInt8(ascii: "'") && !inDouble {
                inSingle = true
            } else if !inDouble && byte == UInt8(ascii: "(") {
                depth += 1
            } else if !inDouble && byte == UInt8(ascii: ")") {
                depth -= 1
                if depth == 0 { return index }
            }
            index += 1
        }
        return nil
    }
}
