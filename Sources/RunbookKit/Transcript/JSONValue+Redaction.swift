extension JSONValue {
    /// This value with `redactor` applied to every string in it (object keys are field names, not data).
    public func redacted(by redactor: any TextRedacting) -> JSONValue {
        switch self {
        case .string(let text): return .string(redactor.redact(text))
        case .array(let values): return .array(values.map { $0.redacted(by: redactor) })
        case .object(let members): return .object(members.mapValues { $0.redacted(by: redactor) })
        case .null, .bool, .int, .double: return self
        }
    }
}
