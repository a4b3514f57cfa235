import Foundation

/// Where an incident's escalation policy comes from, in order: `escalation.md` at the top of the runbooks
/// directory, else `escalation.md` in the user's configuration directory (`$XDG_CONFIG_HOME/runbook`, else
/// `~/.config/runbook`). A team whose runbooks live in a repository of their own keeps its policy once, there.
///
/// `start`, `drill`, `declare` and `lint` all look here, and only here (docs/escalation.md).
public enum EscalationPolicyLookup {
    /// The policy's file name, in either place.
    public static let fileName = "escalation.md"

    /// The places looked at, in order.
    public static func candidates(
        runbooksDirectory: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> [String] {
        [
            (runbooksDirectory as NSString).appendingPathComponent(fileName),
            (ConfigurationDirectory.path(environment: environment) as NSString).appendingPathComponent(fileName),
        ]
    }

    /// The first candidate that exists, or `nil` when there is no policy.
    public static func path(
        runbooksDirectory: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String? {
        candidates(runbooksDirectory: runbooksDirectory, environment: environment).first {
            FileManager.default.fileExists(atPath: $0)
        }
    }

    /// What to say when there is none: the places looked at.
    public static func missingMessage(
        runbooksDirectory: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String {
        let places = candidates(runbooksDirectory: runbooksDirectory, environment: environment)
        return "no escalation policy (neither \(places.joined(separator: " nor ")) exists)"
    }

    /// The policy in the file at `path`.
    public static func policy(at path: String) throws -> EscalationPolicy {
        try EscalationPolicy(parsing: RunbookParser.parse(contentsOf: path))
    }

    /// The lint note for a runbooks directory with no policy anywhere, one per directory, or `nil` when a policy
    /// is found. A note, not a warning: a CI machine has no user configuration directory, and `--strict` there
    /// must not fail a team whose policy lives in it.
    public static func note(
        runbooksDirectory: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> Diagnostic? {
        guard path(runbooksDirectory: runbooksDirectory, environment: environment) == nil else { return nil }
        return .note(
            missingMessage(runbooksDirectory: runbooksDirectory, environment: environment)
                + ": incidents started from these runbooks are never escalated",
            at: SourceLocation(file: runbooksDirectory, line: 1),
            hint: "write \(fileName) with the escalation matrix (docs/escalation.md), in this directory or in "
                + ConfigurationDirectory.path(environment: environment))
    }
}
