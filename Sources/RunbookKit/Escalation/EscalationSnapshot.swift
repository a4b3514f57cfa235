import Foundation

/// The escalation policy copied into an incident when it is declared.
///
/// Editing `runbooks/escalation.md` later never changes an open incident: its timers, severity changes and
/// targets are computed from this copy. The whole matrix is kept (not only the declared severity's row)
/// because a severity change takes the new severity's response time and targets from the same copy.
public struct EscalationSnapshot: Sendable, Hashable {
    /// The default number of repeat escalations after the first one.
    public static let defaultRepeatLimit = 3
    /// The most repeats anyone may configure.
    public static let maximumRepeatLimit = 9

    /// The matrix rows at declaration.
    public var rules: [EscalationRule]
    /// The contacts table at declaration.
    public var contacts: [Contact]
    /// The communication channels as written in the policy.
    public var channels: [String]
    /// How many times an unacknowledged incident escalates again after the first escalation (0…9).
    public var repeatLimit: Int

    public init(
        rules: [EscalationRule], contacts: [Contact] = [], channels: [String] = [],
        repeatLimit: Int = EscalationSnapshot.defaultRepeatLimit
    ) {
        self.rules = rules
        self.contacts = contacts
        self.channels = channels
        self.repeatLimit = min(max(repeatLimit, 0), EscalationSnapshot.maximumRepeatLimit)
    }

    /// Copies `policy` as it is now.
    public init(policy: EscalationPolicy, repeatLimit: Int = EscalationSnapshot.defaultRepeatLimit) {
        self.init(rules: policy.rules, contacts: policy.contacts, channels: policy.channels, repeatLimit: repeatLimit)
    }

    /// The row for `severity`, if the matrix had one.
    public func rule(for severity: Severity) -> EscalationRule? {
        rules.first { $0.severity == severity }
    }

    /// The targets of `severity`'s row, resolved through the contacts table.
    public func targets(for severity: Severity) -> [EscalationTarget] {
        (rule(for: severity)?.targets ?? []).map { EscalationTarget.resolve($0, contacts: contacts) }
    }

    /// The snapshot as stored in `incidents.policy_snapshot` (see docs/escalation.md).
    public var json: JSONValue {
        .object([
            "rules": .array(
                rules.map { rule in
                    var row: [String: JSONValue] = [
                        "severity": .string(rule.severity.rawValue), "description": .string(rule.description),
                        "response_time": .string(rule.responseTime.description),
                        "targets": .array(rule.targets.map { .string($0) }),
                    ]
                    // The wording rounds to whole seconds; the exact figure keeps deadlines exact.
                    if case .duration(let seconds) = rule.responseTime { row["response_seconds"] = .double(seconds) }
                    return .object(row)
                }),
            "contacts": .array(
                contacts.map { contact in
                    .object([
                        "role": .string(contact.role), "contact": .string(contact.contact),
                        "availability": .string(contact.availability),
                    ])
                }),
            "channels": .array(channels.map { .string($0) }),
            "repeat_limit": .int(Int64(repeatLimit)),
        ])
    }

    /// Reads a stored snapshot. Accepts the full form (`rules`) and a single-row form (`rule`), so an
    /// incident recorded with only its own row still escalates; rows that do not parse are skipped.
    public init?(json: JSONValue) {
        guard case .object = json else { return nil }
        var rows: [JSONValue] = []
        if case .array(let list)? = json["rules"] { rows = list } else if let single = json["rule"] { rows = [single] }
        let rules = rows.compactMap { row -> EscalationRule? in
            guard let severity = row["severity"]?.stringValue.flatMap(Severity.init(parsing:)),
                let time = row["response_seconds"]?.doubleValue.map(ResponseTime.duration)
                    ?? row["response_time"]?.stringValue.flatMap(ResponseTime.init(parsing:))
            else { return nil }
            var targets: [String] = []
            if case .array(let list)? = row["targets"] { targets = list.compactMap(\.stringValue) }
            return EscalationRule(
                severity: severity, description: row["description"]?.stringValue ?? "", responseTime: time,
                targets: targets)
        }
        var contacts: [Contact] = []
        if case .array(let list)? = json["contacts"] {
            contacts = list.compactMap { row in
                guard let role = row["role"]?.stringValue, let contact = row["contact"]?.stringValue else { return nil }
                return Contact(role: role, contact: contact, availability: row["availability"]?.stringValue ?? "")
            }
        }
        var channels: [String] = []
        if case .array(let list)? = json["channels"] { channels = list.compactMap(\.stringValue) }
        let limit = json["repeat_limit"]?.intValue.map(Int.init) ?? EscalationSnapshot.defaultRepeatLimit
        self.init(rules: rules, contacts: contacts, channels: channels, repeatLimit: limit)
    }
}
