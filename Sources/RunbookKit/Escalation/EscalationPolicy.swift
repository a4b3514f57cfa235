import Foundation

/// The escalation matrix, contacts and channels, read from `runbooks/escalation.md` (never hard-coded).
public struct EscalationPolicy: Sendable, Hashable, Codable {
    public var rules: [EscalationRule]
    public var contacts: [Contact]
    /// Communication channels as written (`Slack: #ops-alerts (automated), #incident-response (manual)`).
    public var channels: [String]

    public init(rules: [EscalationRule], contacts: [Contact] = [], channels: [String] = []) {
        self.rules = rules
        self.contacts = contacts
        self.channels = channels
    }

    /// The rule for `severity`, if the matrix has one.
    public func rule(for severity: Severity) -> EscalationRule? {
        rules.first { $0.severity == severity }
    }
}

/// One row of the matrix: `| P0 | Complete outage | 15 minutes | CTO + On-call |`.
public struct EscalationRule: Sendable, Hashable, Codable {
    public var severity: Severity
    public var description: String
    public var responseTime: ResponseTime
    /// Targets as written, split on `+` (`["CTO", "On-call"]`).
    public var targets: [String]

    public init(severity: Severity, description: String, responseTime: ResponseTime, targets: [String]) {
        self.severity = severity
        self.description = description
        self.responseTime = responseTime
        self.targets = targets
    }
}

/// A row of the contacts table.
public struct Contact: Sendable, Hashable, Codable {
    public var role: String
    public var contact: String
    public var availability: String

    public init(role: String, contact: String, availability: String) {
        self.role = role
        self.contact = contact
        self.availability = availability
    }
}
