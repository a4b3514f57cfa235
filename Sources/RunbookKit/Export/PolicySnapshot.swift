import Foundation

/// Reads response times from an incident's policy snapshot (the matrix as it stood at declaration).
///
/// The snapshot is stored JSON, written by whichever version declared the incident, so the reader is lenient:
/// it accepts an encoded `EscalationPolicy`, a single matrix row, or rows under `matrix`/`rows`, with
/// response times as the matrix's wording (`"15 minutes"`), seconds, or an encoded `ResponseTime`.
public enum PolicySnapshot {
    /// The response time the snapshot gives `severity`, or `nil` when it has none.
    public static func responseTime(for severity: Severity, in snapshot: JSONValue?) -> ResponseTime? {
        guard let snapshot else { return nil }
        if let policy = try? JSONDecoder().decode(EscalationPolicy.self, from: snapshot.canonicalData()),
            let rule = policy.rule(for: severity)
        {
            return rule.responseTime
        }
        for row in rows(in: snapshot) where severityOf(row) == severity {
            if let time = responseTime(of: row) { return time }
        }
        return nil
    }

    private static func rows(in snapshot: JSONValue) -> [JSONValue] {
        var rows: [JSONValue] = []
        for key in ["rules", "matrix", "rows", "escalation"] {
            if case .array(let items)? = snapshot[key] { rows += items }
            if let nested = snapshot[key], case .object = nested { rows += self.rows(in: nested) }
        }
        if case .array(let items) = snapshot { rows += items }
        if case .object = snapshot, snapshot["severity"] != nil { rows.append(snapshot) }
        if case .object = snapshot, let rule = snapshot["rule"] { rows.append(rule) }
        return rows
    }

    private static func severityOf(_ row: JSONValue) -> Severity? {
        row["severity"]?.stringValue.flatMap(Severity.init(parsing:))
    }

    private static func responseTime(of row: JSONValue) -> ResponseTime? {
        for key in ["responseTime", "response_time", "response", "responseTimeSeconds", "response_time_seconds"] {
            guard let value = row[key] else { continue }
            if let time = decode(value) { return time }
        }
        return nil
    }

    private static func decode(_ value: JSONValue) -> ResponseTime? {
        if let text = value.stringValue { return ResponseTime(parsing: text) }
        if let seconds = value.doubleValue, seconds > 0 { return .duration(seconds) }
        if let time = try? JSONDecoder().decode(ResponseTime.self, from: value.canonicalData()) { return time }
        if let seconds = (value["seconds"] ?? value["duration"])?.doubleValue { return .duration(seconds) }
        if let days = (value["business_days"] ?? value["businessDays"])?.intValue { return .businessDays(Int(days)) }
        if let text = (value["text"] ?? value["description"])?.stringValue { return ResponseTime(parsing: text) }
        return nil
    }
}
