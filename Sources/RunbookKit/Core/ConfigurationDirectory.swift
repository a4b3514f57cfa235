import Foundation

/// The user's configuration directory for runbook: `$XDG_CONFIG_HOME/runbook` when that is an absolute path (the
/// XDG spec says a relative one is ignored), else `~/.config/runbook`. It holds the fallback escalation policy and
/// the signing key.
public enum ConfigurationDirectory {
    public static func path(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let base: String
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") {
            base = xdg
        } else {
            let home = environment["HOME"] ?? NSHomeDirectory()
            base = (home as NSString).appendingPathComponent(".config")
        }
        return (base as NSString).appendingPathComponent("runbook")
    }
}
