import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// Responders who do not drive add notes and change the severity and status from their own terminals; the driver's
/// REPL shows each at its next prompt, attributed to its author, and its prompt follows the new severity.
@Suite(.ownThreads) struct FollowedUpdatesEndToEndTests {
    let fixtures = SessionEndToEndTests.fixtures

    @Test func aNoteAndASeverityChangeFromAnotherProcessAppearAttributedAtTheDriversNextPrompt() throws {
        let database = ScratchDatabase()
        let live = try LiveRunbook(
            ["start", "triage", "--env", "staging", "--runbooks", fixtures, "--db", database.path],
            environment: ["RUNBOOK_ESCALATOR": "off"])
        try waitUntil("the session to show its first step") { live.text.contains("[1/3] Tell people") }

        let note = try database.run(["note", "1", "replica lag is 3 s"])
        #expect(note.status == 0, "\(note.stderr)")
        let sev = try database.run(["sev", "1", "P0", "all regions"])
        #expect(sev.status == 0, "\(sev.stderr)")
        #expect(sev.stdout.contains("incident 1: severity P2 → P0"), "\(sev.stdout)")
        #expect(!live.text.contains("replica lag is 3 s"), "nothing is shown before the next prompt")
        live.send("status")
        let actor = ResponderIdentity.current().actor
        try waitUntil("the note at the next prompt") { live.text.contains("note from \(actor): replica lag is 3 s") }
        try waitUntil("the severity change") { live.text.contains("severity P2 → P0 by \(actor) (all regions)") }
        // The driver's own note is not shown back to it as someone else's.
        live.send("note mine")
        live.send("status")
        live.send("q")
        #expect(try live.finish() == 0, "\(live.text)")
        #expect(!live.text.contains("note from \(actor): mine"), "\(live.text)")
        #expect(live.text.contains("#1 P0 staging"), "the prompt follows the new severity: \(live.text)")
        let notes = live.text.components(separatedBy: "note from \(actor): replica lag is 3 s").count - 1
        #expect(notes == 1, "shown once: \(live.text)")
    }
}
