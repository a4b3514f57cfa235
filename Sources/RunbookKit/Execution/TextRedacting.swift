import Foundation

/// Turns text into text that is safe to store (secret values and known secret patterns replaced).
public protocol TextRedacting: Sendable {
    func redact(_ text: String) -> String
}

/// A redactor that can learn secret values while an incident runs.
///
/// The session registers the value of every secret variable as soon as it is known, so that command output
/// stored afterwards never contains it.
public protocol SecretRegistering: TextRedacting {
    /// From now on, replace `value` with `[REDACTED:name]` in everything redacted.
    func registerSecret(_ value: String, name: String)
}
