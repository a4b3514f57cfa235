import ArgumentParser

/// `--format` of listing commands: a table for people, JSON for scripts.
public enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case table, json
}

/// `--format` of `runbook transcript`.
public enum TranscriptFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text, json
}
