import Foundation

/// Environment names as people type them: `Production`, `PROD`, `" staging "`.
///
/// The one place that says when two environment names are the same: after trimming surrounding white space and
/// ignoring case. Allow-lists (`environments:` of a runbook and of a step), per-environment defaults, `--env`,
/// scenario files and the production class all compare through here.
public enum EnvironmentName {
    /// The name compared: trimmed of surrounding white space and lowercased.
    public static func normalized(_ name: String) -> String {
        name.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    /// The name to record and show: trimmed, with its case kept.
    public static func trimmed(_ name: String) -> String {
        name.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Whether `a` and `b` name the same environment.
    public static func same(_ a: String, _ b: String) -> Bool {
        normalized(a) == normalized(b)
    }

    /// Whether `list` names `environment`.
    public static func list(_ list: [String], contains environment: String) -> Bool {
        let name = normalized(environment)
        return list.contains { normalized($0) == name }
    }

    /// The value of `environment` in a dictionary keyed by environment names (per-environment defaults).
    public static func value<Value>(in dictionary: [String: Value], for environment: String) -> Value? {
        if let exact = dictionary[environment] { return exact }
        let name = normalized(environment)
        return dictionary.first { normalized($0.key) == name }?.value
    }
}
