import Foundation

/// The user's configuration directory for runbook: `$XDG_CONFIG_HOME/runbook` when that is an absolute path (the
/// XDG spec says a relative one is ignored), else `~/.config/runbook`. It holds the fallback escalation policy and
/// the signing key.
public enum ConfigurationDirectory {
    public static func path(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        (xdgBase("XDG_CONFIG_HOME", else: ".config", environment: environment) as NSString)
            .appendingPathComponent("runbook")
    }

    /// An XDG base directory: `$variable` when it is an absolute path (the spec says a relative one is ignored),
    /// else `fallback` under `$HOME`. The state directory of the database uses it too.
    public static func xdgBase(_ variable: String, else fallback: String, environment: [String: String]) -> String {
        if let value = environment[variable], value.hasPrefix("/") { return value }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return (home as NSString).appendingPathComponent(fallback)
    }
}
