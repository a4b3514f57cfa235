import Foundation
import RunbookKit
import Testing

/// What a runbook needs (the programs its commands call, read with the detector's word reader, and the front
/// matter's `requires:`), and the `{ack}` of a manual step.
@Suite struct RequirementsAndAckTests {
    func parsed(_ text: String) throws -> (Runbook, [String]) {
        let parsed = try RunbookParser.parseWithDiagnostics(data: Data(text.utf8), path: "x.md")
        let messages = (parsed.diagnostics + Linter().check(parsed.runbook)).map {
            "x.md:\($0.location.line) \($0.message)"
        }
        return (parsed.runbook, messages)
    }

    @Test func programsAreTheFirstWordsOfSimpleCommandsPastAssignmentsKeywordsAndBuiltins() {
        #expect(
            CommandPrograms.programs(in: #"kubectl get pods -n "$NAMESPACE" | grep -v Running"#) == ["kubectl", "grep"])
        #expect(CommandPrograms.programs(in: "FOO=1 sudo helm history x && echo ok; cd /tmp") == ["helm"])
        #expect(
            CommandPrograms.programs(in: "kubectl logs x 2>&1 | tail -5  # psql here is a comment") == [
                "kubectl", "tail",
            ])
        #expect(
            CommandPrograms.programs(
                in: """
                    DEPLOYMENTS=("website" "backend-api")
                    for d in "${DEPLOYMENTS[@]}"; do
                        kubectl rollout undo deployment/$d
                    done
                    ./deploy.sh -r
                    """) == ["kubectl"])
        #expect(CommandPrograms.programs(in: "if pg_isready -h db; then oc get pods; fi") == ["pg_isready", "oc"])
    }

    @Test func kubernetesStepsAndTheNamespaceTheyName() {
        #expect(CommandPrograms.callsKubernetes("helm history r -n x"))
        #expect(!CommandPrograms.callsKubernetes("curl -f https://x/health"))
        #expect(CommandPrograms.namespace(in: #"kubectl get pods -n "$NAMESPACE""#) == "$NAMESPACE")
        #expect(CommandPrograms.namespace(in: "kubectl --namespace=prod get pods") == "prod")
        #expect(CommandPrograms.namespace(in: "kubectl get pods") == nil)
    }

    @Test func needsListEachProgramWithItsStepsThenTheDeclaredOnes() throws {
        let (runbook, messages) = try parsed(
            """
            ---
            requires: [aws, kubectl]
            ---
            # Needs
            ## One
            ```bash {id=one risk=read}
            kubectl get pods
            ```
            ## Two
            ```bash {id=two risk=read}
            helm history r && kubectl get svc
            ```
            """)
        #expect(messages.isEmpty, "\(messages)")
        #expect(runbook.requires == ["aws", "kubectl"])
        let needs = CommandPrograms.needs(of: runbook)
        #expect(needs.map(\.program) == ["kubectl", "helm", "aws"])
        #expect(needs[0].stepIDs == ["one", "two"])
        #expect(needs[0].isDeclared)
        #expect(needs[2].stepIDs.isEmpty)
    }

    @Test func lintReportsRequiresThatIsNotAListOfProgramNamesAtItsLine() throws {
        let (_, notAList) = try parsed("---\nrequires: kubectl\n---\n# T\n")
        #expect(notAList.contains("x.md:2 `requires` must be a list of programs"), "\(notAList)")
        let (runbook, entries) = try parsed(
            "---\nrequires:\n  - kubectl\n  -\n  - 3\n  - {a: b}\n  - two words\n---\n# T\n")
        #expect(entries.contains("x.md:4 a `requires` entry is empty"), "\(entries)")
        #expect(
            entries.contains("x.md:5 a `requires` entry must be a program name, not a list, map, number or true/false"),
            "\(entries)")
        #expect(
            entries.contains("x.md:6 a `requires` entry must be a program name, not a list, map, number or true/false"),
            "\(entries)")
        #expect(entries.contains("x.md:7 `requires` entry `two words` is not a program name"), "\(entries)")
        #expect(runbook.requires == ["kubectl"])
    }

    @Test func aManualStepWithAckAcknowledgesAndTheBraceIsNotPartOfItsText() throws {
        let (runbook, messages) = try parsed(
            """
            # T
            - [ ] Acknowledge the alert in PagerDuty {ack}
            - [ ] Open a thread {ack=false}
            - [ ] Plain {id=x}
            """)
        guard case .manual(let first) = runbook.items[0], case .manual(let second) = runbook.items[1] else {
            Issue.record("not manual steps: \(runbook.items)")
            return
        }
        #expect(first.text == "Acknowledge the alert in PagerDuty")
        #expect(first.acknowledges)
        #expect(first.id == "acknowledge-the-alert-in-pagerduty")
        #expect(!second.acknowledges)
        #expect(messages == ["x.md:4 only `ack` applies to a manual step; its other attributes are ignored"])
    }

    @Test func ackOnACommandStepIsAWarning() throws {
        let (_, messages) = try parsed("# T\n\n```bash {id=a risk=read ack}\ntrue\n```\n")
        #expect(messages.contains { $0.hasPrefix("x.md:3 `ack` on step `a` does nothing") }, "\(messages)")
    }

    @Test func theBundledTriageAcknowledgesWithItsFirstItem() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let triage = try RunbookParser.parse(contentsOf: root.appendingPathComponent("runbooks/triage.md").path)
        guard case .manual(let first) = triage.items.first else {
            Issue.record("triage does not start with a manual step")
            return
        }
        #expect(first.acknowledges)
        #expect(first.text == "Acknowledge the alert in PagerDuty")
        let website = try #require(triage.steps.first { $0.id == "check-website-health" })
        #expect(website.attributes.expect == [0, 7, 22])
    }
}
