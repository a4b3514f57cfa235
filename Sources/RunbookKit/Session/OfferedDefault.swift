/// The default the REPL offers when it asks for a variable (Enter accepts it), and where it comes from.
public struct OfferedDefault: Sendable, Equatable {
    /// The value.
    public var value: String
    /// The alert label it comes from (`namespace`), or `nil` for the runbook's own default.
    public var alertLabel: String?

    /// A default of `value`, from `alertLabel` when given.
    public init(value: String, alertLabel: String? = nil) {
        self.value = value
        self.alertLabel = alertLabel
    }
}
