import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// What other responders record from their own terminals (`runbook note`, `ack`, `sev`, `status`) reaches the
/// driver's session once each, attributed, and changes its state; its own events are never echoed back.
@Suite struct IncidentSessionFollowedTests {
    let harness = SessionFixtures.Harness()

    func banners(_ session: IncidentSession) throws -> [String] {
        try session.escalationUpdates().compactMap {
            EscalationBanner.text(
                for: $0, incidentID: session.incidentID, isDrill: false, timeZone: TimeZone(identifier: "UTC")!)
        }
    }

    func elsewhere(_ draft: EventDraft, _ session: IncidentSession, by actor: String = "bob@laptop") throws {
        _ = try harness.store.append(draft, to: session.incidentID, actor: actor, at: harness.clock.now())
    }

    @Test func notesAcksAndChangesFromOtherTerminalsAreShownOnceAttributedAndApplied() throws {
        let session = try harness.start(severity: .p2)
        try elsewhere(EventDraft(.noteAdded, payload: ["text": "replica lag is 3 s"]), session)
        try elsewhere(try #require(IncidentChange.severity(from: .p2, to: .p0, reason: "all regions")), session)
        try elsewhere(EventDraft(.ackReceived, payload: ["by": "carol"]), session, by: "carol@desk")
        try elsewhere(
            try #require(try IncidentChange.status(from: .open, to: .mitigated, reason: nil, isDrill: false)), session)
        let shown = try banners(session)
        #expect(shown.count == 4, "\(shown)")
        #expect(shown[0].hasSuffix("] note from bob@laptop: replica lag is 3 s"), "\(shown)")
        #expect(shown[1].hasSuffix("] severity P2 → P0 by bob@laptop (all regions)"), "\(shown)")
        #expect(shown[2].hasSuffix("] acknowledged by carol: escalation stopped"), "\(shown)")
        #expect(shown[3].hasSuffix("] status open → mitigated by bob@laptop"), "\(shown)")
        #expect(session.severity == .p0)
        #expect(session.status == .mitigated)
        #expect(session.acknowledgements == ["carol"])
        #expect(try banners(session).isEmpty, "each is shown once")
    }

    @Test func theSessionsOwnNotesAndChangesAreNotEchoedBack() throws {
        let session = try harness.start(severity: .p2)
        try session.note("looking at the pods")
        try session.changeSeverity(to: .p1, reason: "worse")
        try session.markMitigated()
        try session.acknowledge(by: "alice")
        #expect(try banners(session).isEmpty)
        try elsewhere(EventDraft(.noteAdded, payload: ["text": "me too"]), session)
        #expect(try banners(session).count == 1)
    }

    /// A note, a reason or a summary from another terminal, or from an alert (`runbook serve`), is shown in the
    /// driver's terminal, so its control characters are shown in caret notation rather than obeyed: `ESC [2K`
    /// and `CR` would rewrite the line, an OSC sequence the window title.
    @Test func controlCharactersFromElsewhereAreShownNotObeyed() throws {
        let session = try harness.start(severity: .p2)
        try elsewhere(EventDraft(.noteAdded, payload: ["text": "rm ran \u{1B}[2K\r all fine"]), session)
        try elsewhere(
            try #require(IncidentChange.severity(from: .p2, to: .p1, reason: "why\u{1B}]0;owned\u{07}")), session,
            by: "eve\u{1B}[8m@host")
        try elsewhere(
            try #require(try IncidentChange.status(from: .open, to: .resolved, reason: "ok\u{7F}", isDrill: false)),
            session)
        let shown = try banners(session)
        #expect(shown.count == 3, "\(shown)")
        #expect(shown[0].hasSuffix("] note from bob@laptop: rm ran ^[[2K^M all fine"), "\(shown)")
        #expect(shown[1].hasSuffix("] severity P2 → P1 by eve^[[8m@host (why^[]0;owned^G)"), "\(shown)")
        #expect(shown[2].hasSuffix("resolved by bob@laptop: ok^?"), "\(shown)")
        for line in shown {
            #expect(ControlCharacters.firstOffset(in: line) == nil, "\(line.debugDescription)")
        }
    }

    @Test func anIncidentResolvedElsewhereIsShownAndTheNextActionStopsTheSession() throws {
        let session = try harness.start()
        try elsewhere(
            try #require(try IncidentChange.status(from: .open, to: .resolved, reason: "rolled back", isDrill: false)),
            session)
        let shown = try banners(session)
        #expect(shown.count == 1)
        #expect(shown.first?.hasSuffix("] incident #\(session.incidentID) resolved by bob@laptop: rolled back") == true)
        #expect(throws: SessionError.closedElsewhere(id: session.incidentID, status: .resolved)) {
            try session.note("still here")
        }
    }

    @Test func theChangeRulesAreTheREPLsAndRefuseWhatTheREPLRefuses() throws {
        #expect(IncidentChange.severity(from: .p1, to: .p1, reason: nil) == nil)
        #expect(try IncidentChange.status(from: .mitigated, to: .mitigated, reason: nil, isDrill: false) == nil)
        #expect(throws: SessionError.self) {
            try IncidentChange.status(from: .open, to: .abandoned, reason: nil, isDrill: false)
        }
        #expect(throws: SessionError.self) {
            try IncidentChange.status(from: .mitigated, to: .open, reason: nil, isDrill: false)
        }
        #expect(throws: SessionError.self) { try IncidentChange.severity(parsing: "P4") }
        #expect(try IncidentChange.severity(parsing: "p0") == .p0)
        #expect(try IncidentChange.status(parsing: "resolve") == .resolved)
        #expect(throws: SessionError.self) { try IncidentChange.status(parsing: "fixed") }
    }
}
