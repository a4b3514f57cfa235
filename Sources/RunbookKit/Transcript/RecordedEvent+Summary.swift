extension RecordedEvent {
    /// A one-line description of the event for people, built from its payload fields.
    ///
    /// Unknown or missing fields fall back to the canonical JSON of the payload, so nothing is hidden.
    public var summary: String {
        let p = payload
        func text(_ key: String) -> String? {
            guard let value = p[key] else { return nil }
            if case .null = value { return nil }
            return value.stringValue ?? value.canonicalString
        }
        switch type {
        case .incidentDeclared:
            let drill = p["drill"]?.boolValue == true ? " (drill)" : ""
            return "\(text("severity") ?? "?") in \(text("environment") ?? "?")\(drill): \(text("title") ?? "")"
        case .severityChanged, .statusChanged:
            let reason = text("reason").map { " (\($0))" } ?? ""
            return "\(text("from") ?? "?") → \(text("to") ?? "?")\(reason)"
        case .commandStarted, .stepApproved:
            return "$ " + (text("command") ?? "")
        case .stepEdited:
            return "$ " + (text("edited") ?? "")
        case .commandFinished:
            var parts: [String] = []
            if let code = p["exit_code"]?.intValue { parts.append("exit \(code)") }
            if let signal = p["signal"]?.intValue { parts.append("signal \(signal)") }
            if p["timed_out"]?.boolValue == true { parts.append("timed out") }
            if let ms = p["duration_ms"]?.doubleValue { parts.append(String(format: "in %.1fs", ms / 1000)) }
            return parts.joined(separator: " ")
        case .noteAdded, .drillInject, .drillDebrief:
            return text("text") ?? p.canonicalString
        case .variableSet:
            let name = text("name") ?? "?"
            let exported = text("source") == "export"
            if p["unset"]?.boolValue == true { return "\(name) unset" + (exported ? " (by the command)" : "") }
            return "\(name) = \(p["secret"]?.boolValue == true ? "(secret)" : text("value") ?? "")"
                + (exported ? " (exported by the command)" : "")
        case .ackReceived:
            return "acknowledged by \(text("by") ?? "?")"
        case .incidentResolved:
            return text("summary") ?? "resolved"
        default:
            if case .object(let members) = p, members.isEmpty { return "" }
            return p.canonicalString
        }
    }
}
