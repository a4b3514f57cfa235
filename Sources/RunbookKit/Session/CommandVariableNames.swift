import Foundation

// TEMPORARY: replaced by the parser's `VariableReferences.names(in:)` once it lands on main.
/// The `$NAME` / `${NAME}` references of a command, minus names the command assigns itself (`for x in`,
/// `x=…`, `read x`) and anything inside single quotes (`awk '{print $NF}'`).
enum CommandVariableNames {
    static func names(in command: String) -> [String] {
        let unquoted = command.replacingOccurrences(of: "'[^']*'", with: "''", options: .regularExpression)
        var assigned = Set<String>()
        for pattern in [
            #"\bfor\s+([A-Za-z_][A-Za-z0-9_]*)\s+in\b"#, #"(?:^|[\s;&|(])([A-Za-z_][A-Za-z0-9_]*)="#,
            #"\bread\s+(?:-\w+\s+)*([A-Za-z_][A-Za-z0-9_]*)"#,
        ] {
            assigned.formUnion(matches(of: pattern, in: unquoted))
        }
        var seen = Set<String>()
        var names: [String] = []
        for name in matches(of: #"\$\{?([A-Za-z_][A-Za-z0-9_]*)"#, in: unquoted)
        where !assigned.contains(name) && seen.insert(name).inserted {
            names.append(name)
        }
        return names
    }

    /// Expands `$NAME` and `${NAME}` with `values`, leaving unknown references as they are.
    static func expand(_ text: String, with values: (String) -> String?) -> String {
        guard
            let regex = try? NSRegularExpression(pattern: #"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)"#)
        else { return text }
        var result = ""
        var last = text.startIndex
        for match in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            guard let whole = Range(match.range, in: text) else { continue }
            let nameRange = Range(match.range(at: 1), in: text) ?? Range(match.range(at: 2), in: text)
            guard let nameRange else { continue }
            result += text[last..<whole.lowerBound]
            result += values(String(text[nameRange])) ?? String(text[whole])
            last = whole.upperBound
        }
        return result + text[last...]
    }

    private static func matches(of pattern: String, in text: String) -> [String] {
        guard let regex = try? NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines]) else { return [] }
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap {
            Range($0.range(at: 1), in: text).map { String(text[$0]) }
        }
    }
}
