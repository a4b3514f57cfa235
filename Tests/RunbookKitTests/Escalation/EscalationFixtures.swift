import Foundation

@testable import RunbookKit

/// The seed's escalation matrix and contacts, as the parser would produce them.
enum EscalationFixtures {
    static let policy = EscalationPolicy(
        rules: [
            EscalationRule(
                severity: .p0, description: "Complete outage", responseTime: .duration(900),
                targets: ["CTO", "On-call"]),
            EscalationRule(
                severity: .p1, description: "Partial outage", responseTime: .duration(1800), targets: ["DevOps Lead"]),
            EscalationRule(
                severity: .p2, description: "Performance degradation", responseTime: .duration(7200),
                targets: ["On-call Engineer"]),
            EscalationRule(
                severity: .p3, description: "Minor issues", responseTime: .businessDays(1), targets: ["Team Lead"]),
        ],
        contacts: [
            Contact(role: "On-Call Engineer", contact: "alerts@candlefish.ai", availability: "24/7"),
            Contact(role: "DevOps Lead", contact: "devops@candlefish.ai", availability: "Business hours"),
            Contact(role: "Security Team", contact: "security@candlefish.ai", availability: "24/7 for P0/P1"),
            Contact(role: "Product Owner", contact: "product@candlefish.ai", availability: "Business hours"),
        ],
        channels: ["Slack: #ops-alerts (automated), #incident-response (manual)"])

    static func state(
        _ severity: Severity, at declaredAt: Date, repeatLimit: Int = 3, isDrill: Bool = false
    ) -> EscalationState {
        EscalationState(
            incidentID: 42, title: "Site down", runbook: "outage", isDrill: isDrill, severity: severity,
            snapshot: EscalationSnapshot(policy: policy, repeatLimit: repeatLimit), declaredAt: declaredAt)
    }
}
