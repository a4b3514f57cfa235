import Foundation

/// The session registers secret variables through `SecretRegistering`; the redactor is that registry.
extension Redactor: SecretRegistering {
    public func registerSecret(_ value: String, name: String) {
        addSecret(name: name, value: value)
    }
}
