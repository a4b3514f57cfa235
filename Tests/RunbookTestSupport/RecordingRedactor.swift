import Foundation
import RunbookKit

/// A redactor for unit tests: replaces registered secret values with `[REDACTED:NAME]` and remembers them.
public final class RecordingRedactor: SecretRegistering, @unchecked Sendable {
    private let lock = NSLock()
    private var secrets: [(name: String, value: String)] = []

    public init() {}

    /// The names registered so far.
    public var registeredNames: [String] { lock.withLock { secrets.map(\.name) } }

    public func registerSecret(_ value: String, name: String) {
        guard !value.isEmpty else { return }
        lock.withLock { secrets.append((name, value)) }
    }

    public func redact(_ text: String) -> String {
        lock.withLock {
            secrets.reduce(text) { $0.replacingOccurrences(of: $1.value, with: "[REDACTED:\($1.name)]") }
        }
    }
}

// `CollectingOutputSink` (what the screen would show) lives in CollectingOutputSink.swift.
