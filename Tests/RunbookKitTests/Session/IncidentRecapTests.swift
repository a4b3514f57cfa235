import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// The recap `resume` opens with, the earlier run of a repeated check, and the `{ack}` manual step.
@Suite struct IncidentRecapTests {
    typealias Harness = SessionFixtures.Harness

    @Test func recapHoldsTheHandoffWithItsNoteAcksMitigationTheLastThreeNotesAndTheLastCommand() throws {
        let harness = Harness(runner: FakeCommandRunner { _ in .init(output: "pods\n", exitCode: 3) })
        let session = try harness.start()
        try session.setVariable("NAMESPACE", to: "candlefish-prod")
        _ = try session.showCurrent()
        _ = try session.run(output: CollectingOutputSink())
        for text in ["one", "two", "three", "four"] { try session.note(text) }
        try session.acknowledge(by: "bob")
        try session.markMitigated()
        try session.handoff(to: "carol", note: "API down since the 2.5.0 release; roll back next")
        try session.suspend(reason: "handoff to carol")

        let recap = try session.recap()
        #expect(recap.handoff?.from == "alice@bastion")
        #expect(recap.handoff?.to == "carol")
        #expect(recap.handoff?.note == "API down since the 2.5.0 release; roll back next")
        #expect(recap.lastSuspension?.by == "alice@bastion")
        #expect(recap.lastSuspension?.reason == "handoff to carol")
        #expect(recap.acknowledgedBy == ["bob"])
        #expect(recap.mitigatedAt != nil)
        #expect(recap.lastNotes.map(\.text) == ["two", "three", "four"])
        let last = try #require(recap.lastCommand)
        #expect(last.command == "kubectl get pods -n \"$NAMESPACE\"")
        #expect(last.exitCode == 3)
        #expect(!last.expected)
        #expect(last.stepID == "check-pods")
    }

    @Test func aHandoffWithoutANoteRecordsNone() throws {
        let harness = Harness()
        let session = try harness.start()
        try session.handoff(to: "carol", note: "  ")
        let handoff = try #require(try harness.events(session).last { $0.type == .handoff })
        #expect(handoff.payload["note"] == nil)
        #expect(try session.recap().handoff?.note == nil)
    }

    @Test func previousRunFindsTheLatestRunOfTheExactCommandOnly() throws {
        let harness = Harness()
        let session = try harness.start()
        try session.setVariable("NAMESPACE", to: "candlefish-prod")
        #expect(try session.previousRun(of: "kubectl get pods -n \"$NAMESPACE\"") == nil)
        _ = try session.showCurrent()
        _ = try session.run(output: CollectingOutputSink())
        harness.clock.advance(by: 240)
        let run = try #require(try session.previousRun(of: "kubectl get pods -n \"$NAMESPACE\""))
        #expect(run.exitCode == 0)
        #expect(run.expected)
        #expect(run.runbookID == "outage")
        #expect(try session.previousRun(of: "kubectl get pods -n \"$NAMESPACE\" ") == nil)
    }

    @Test func completingAnAckManualStepAcknowledgesOnceAndStopsTheClock() throws {
        var harness = Harness()
        var manual = ManualStep(
            id: "ack-alert", title: "Acknowledge", text: "Acknowledge the alert",
            location: SessionFixtures.location("ack.md", 3))
        manual.acknowledges = true
        harness.loader.runbooks["ack"] = Runbook(
            id: "ack", title: "Ack", path: "ack.md",
            items: [
                .manual(manual), .manual(ManualStep(id: "second", title: "S", text: "S", location: manual.location)),
            ])
        let session = try harness.start("ack")
        _ = try session.showCurrent()
        #expect(try session.completeManual())
        #expect(session.acknowledgements == ["alice@bastion"])
        let types = try harness.types(session)
        #expect(Array(types.suffix(2)) == ["ack.received", "manual.done"])
        // A plain manual step acknowledges nothing.
        _ = try session.showCurrent()
        #expect(try !session.completeManual())
        #expect(session.acknowledgements.count == 1)
    }
}
