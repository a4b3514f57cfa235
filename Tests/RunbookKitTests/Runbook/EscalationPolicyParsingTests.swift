import Foundation
import RunbookKit
import Testing

@Suite struct EscalationPolicyParsingTests {
    static let escalation = """
        # Escalation

        ### Contact Information

        | Role | Contact | Availability |
        |------|---------|--------------|
        | On-Call Engineer | alerts@candlefish.ai | 24/7 |
        | DevOps Lead | devops@candlefish.ai | Business hours |

        ### Escalation Matrix

        | Severity | Description | Response Time | Escalation |
        |----------|-------------|---------------|------------|
        | P0 | Complete outage | 15 minutes | CTO + On-call |
        | P1 | Partial outage | 30 minutes | DevOps Lead |
        | P2 | Performance degradation | 2 hours | On-call Engineer |
        | P3 | Minor issues | 1 business day | Team Lead |

        ### Communication Channels

        - **Slack**: #ops-alerts (automated), #incident-response (manual)
        - **Email**: stakeholder-updates@candlefish.ai

        ### Other

        - not a channel
        """

    func runbook(_ text: String) throws -> Runbook {
        try RunbookParser.parse(data: Data(text.utf8), path: "runbooks/escalation.md")
    }

    @Test func readsMatrixContactsAndChannels() throws {
        let policy = try EscalationPolicy(parsing: runbook(Self.escalation))
        #expect(policy.rules.map(\.severity) == [.p0, .p1, .p2, .p3])
        #expect(policy.rule(for: .p0)?.targets == ["CTO", "On-call"])
        #expect(policy.rule(for: .p0)?.responseTime == .duration(900))
        #expect(policy.rule(for: .p3)?.responseTime == .businessDays(1))
        #expect(policy.rule(for: .p2)?.description == "Performance degradation")
        #expect(policy.contacts.map(\.role) == ["On-Call Engineer", "DevOps Lead"])
        #expect(policy.contacts.last?.availability == "Business hours")
        #expect(
            policy.channels == [
                "Slack: #ops-alerts (automated), #incident-response (manual)",
                "Email: stakeholder-updates@candlefish.ai",
            ])
    }

    @Test func aBadRowIsAnErrorWithItsLine() throws {
        let broken = Self.escalation.replacingOccurrences(of: "| 2 hours |", with: "| soon |")
        let error = try #require(throws: EscalationPolicyError.self) { try EscalationPolicy(parsing: runbook(broken)) }
        #expect(error.location == SourceLocation(file: "runbooks/escalation.md", line: 16, column: 1))
        #expect(error.summary == "response time `soon` of P2 is not a duration")
    }

    @Test func everyBadRowIsReportedForTheLinter() throws {
        let broken = Self.escalation.replacingOccurrences(of: "| P1 |", with: "| P9 |")
            .replacingOccurrences(of: "| Team Lead |", with: "|  |")
        let (policy, diagnostics) = EscalationPolicy.parse(try runbook(broken))
        #expect(diagnostics.map(\.location.line) == [15, 17])
        #expect(policy?.rules.map(\.severity) == [.p0, .p2])
    }

    @Test func aMissingMatrixIsAnError() throws {
        #expect(throws: EscalationPolicyError.self) { try EscalationPolicy(parsing: runbook("# Nothing here\n")) }
    }
}
