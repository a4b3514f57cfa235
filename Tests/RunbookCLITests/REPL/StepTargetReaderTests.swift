import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

@testable import RunbookCLI

/// The context line's logic: the kube context is read once per session, a missing one is explained once, and a
/// simulator drill never reads the real one.
@Suite struct StepTargetReaderTests {
    /// The view of the fixture outage's `check-pods` (`kubectl get pods -n "$NAMESPACE"`) with NAMESPACE set, and of
    /// `check-health` (`curl`).
    func views() throws -> (kube: StepView, curl: StepView) {
        let session = try SessionFixtures.Harness().start()
        try session.setVariable("NAMESPACE", to: "candlefish-prod")
        let frame = try #require(session.frames.last)
        let items = frame.runbook.items
        return (
            session.view(of: try #require(items.first { $0.id == "check-pods" }), in: frame),
            session.view(of: try #require(items.first { $0.id == "check-health" }), in: frame)
        )
    }

    @Test func theContextIsReadOnceAndTheNamespaceIsTheOneTheCommandPasses() throws {
        let (kube, curl) = try views()
        var reads = 0
        let reader = StepTargetReader(environment: "production", simulatedScenario: nil) {
            reads += 1
            return .context(name: "prod-eu", namespace: "ignored-here")
        }
        let expected = StepTarget(
            environment: "production", cluster: .context(name: "prod-eu", namespace: "candlefish-prod"))
        #expect(reader.target(of: kube) == expected)
        #expect(reader.target(of: kube) == expected)
        #expect(reader.target(of: curl) == StepTarget(environment: "production"))
        #expect(reads == 1)
    }

    @Test func noKubectlIsExplainedOnceThenOnlyNamed() throws {
        let (kube, _) = try views()
        let reader = StepTargetReader(environment: "staging", simulatedScenario: nil) { .noKubectl }
        let first = try #require(reader.target(of: kube)?.cluster)
        guard case .unknown(let reason?) = first else {
            Issue.record("no reason the first time: \(first)")
            return
        }
        #expect(reason.contains("kubectl is not on PATH"))
        #expect(reader.target(of: kube)?.cluster == .unknown(reason: nil))
        let line = SessionRenderer().targetLine(try #require(reader.target(of: kube)))
        #expect(line == "  › runs in staging · no kube context")
    }

    @Test func aSimulatorDrillNeverReadsTheRealContext() throws {
        let (kube, _) = try views()
        let reader = StepTargetReader(environment: "staging", simulatedScenario: "outage") {
            Issue.record("the real context was read in a simulator drill")
            return .noKubectl
        }
        let target = try #require(reader.target(of: kube))
        #expect(target.cluster == .simulated(scenario: "outage", namespace: "candlefish-prod"))
        #expect(
            SessionRenderer().targetLine(target)
                == "  › runs in staging · simulated cluster (outage) · namespace candlefish-prod")
    }
}
