import Foundation
import Testing

@testable import RunbookKit

/// The chain head outside the database: the anchor log beside it, `verify(incidentID:against:)`, and the head in
/// notification payloads.
@Suite struct ChainAnchorTests {
    let time = Date(timeIntervalSince1970: 1_767_225_600)

    func fileStore() throws -> SQLiteTranscriptStore {
        try SQLiteTranscriptStore(path: TemporaryDirectory().path + "/t.sqlite3")
    }

    @Test func declareMitigateAndResolveAppendOneAnchorEachButNotesDoNot() throws {
        let store = try fileStore()
        let (incident, _) = try store.declareIncident(.sample(), actor: "alice", at: time)
        _ = try store.append(
            EventDraft(.noteAdded, payload: ["text": "looking"]), to: incident.id, actor: "alice", at: time)
        let mitigated = try store.append(
            EventDraft(.statusChanged, payload: ["from": "open", "to": "mitigated"]), to: incident.id, actor: "alice",
            at: time)
        let resolved = try store.append(
            EventDraft(.incidentResolved, payload: ["summary": "done"]), to: incident.id, actor: "alice", at: time)

        let log = try #require(store.anchorLog)
        #expect(log.path == store.path + ".anchors")
        let anchors = try log.anchors(incidentID: incident.id)
        #expect(anchors.map(\.head.sequence) == [1, mitigated.sequence, resolved.sequence])
        #expect(anchors.map(\.eventType) == ["incident.declared", "status.changed", "incident.resolved"])
        #expect(anchors.last?.head == ChainHead(sequence: resolved.sequence, hash: resolved.hash))
        #expect(anchors.last?.time == time)
        let mode = try FileManager.default.attributesOfItem(atPath: log.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let lines = try String(contentsOfFile: log.path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3)
        #expect(
            lines[0]
                == #"{"event":"incident.declared","hash":"\#(anchors[0].head.hash)","incident":1,"seq":1,"time":"2026-01-01T00:00:00.000Z"}"#
        )
    }

    @Test func anAnchorLogThatCannotBeWrittenIsReportedAndTheEventIsKept() throws {
        let store = try fileStore()
        // A directory where the log should be: opening it for writing fails.
        try FileManager.default.createDirectory(atPath: store.path + ".anchors", withIntermediateDirectories: false)
        let failures = Failures()
        store.anchorLogFailure = { failures.add($0) }
        let (incident, event) = try store.declareIncident(.sample(), actor: "alice", at: time)
        #expect(try store.events(incidentID: incident.id) == [event])
        let reported = failures.all
        #expect(reported.count == 1)
        #expect(reported.first?.summary.contains("the event itself is recorded") == true)
    }

    @Test func verifyAgainstAnAnchorTellsHoldsTruncatedAndRewritten() throws {
        let store = try fileStore()
        let (incident, _) = try store.declareIncident(.sample(), actor: "alice", at: time)
        let note = try store.append(
            EventDraft(.noteAdded, payload: ["text": "one"]), to: incident.id, actor: "alice", at: time)
        let head = try #require(try store.chainHead(incidentID: incident.id))
        #expect(head == ChainHead(sequence: note.sequence, hash: note.hash))

        let holds = ChainAnchor(incidentID: incident.id, head: head, source: "test")
        #expect(try store.verify(incidentID: incident.id, against: holds) == .holds(holds))
        let past = ChainAnchor(
            incidentID: incident.id, head: ChainHead(sequence: 9, hash: String(repeating: "a", count: 64)),
            source: "test")
        #expect(try store.verify(incidentID: incident.id, against: past) == .truncated(past, head: head))
        #expect(try store.verify(incidentID: incident.id, against: past).description.contains("TRUNCATED"))
        let other = ChainAnchor(
            incidentID: incident.id, head: ChainHead(sequence: 2, hash: String(repeating: "b", count: 64)),
            source: "test")
        #expect(try store.verify(incidentID: incident.id, against: other) == .rewritten(other, storedHash: note.hash))
    }

    @Test func anExportHoldsTheEventsUpToTheHeadItCarriesAndNoneRecordedAfter() throws {
        let store = try fileStore()
        let (incident, declared) = try store.declareIncident(.sample(), actor: "alice", at: time)
        let transcript = try IncidentTranscript.load(incidentID: incident.id, from: store)
        _ = try store.append(
            EventDraft(.noteAdded, payload: ["text": "later"]), to: incident.id, actor: "alice", at: time)
        #expect(transcript.chainHead == ChainHead(sequence: 1, hash: declared.hash))
        let document = try JSONExporter().document(transcript)
        #expect(document["chain_head"] == ChainHead(sequence: 1, hash: declared.hash).json)
        guard case .array(let events)? = document["events"] else {
            Issue.record("no events array")
            return
        }
        #expect(events.map { $0["sequence"] } == [.int(1)])
        let written = try JSONValue(parsing: String(decoding: try JSONExporter().render(transcript), as: UTF8.self))
        #expect(written["chain_head"] == document["chain_head"])
        #expect(written["events"] == document["events"])
    }

    @Test func chainHeadsParseOnlyAsSequenceColonSixtyFourHexDigits() {
        let hash = String(repeating: "ab", count: 32)
        #expect(ChainHead(parsing: "12:" + hash) == ChainHead(sequence: 12, hash: hash))
        #expect(ChainHead(parsing: "12:" + hash.uppercased()) == ChainHead(sequence: 12, hash: hash))
        #expect(ChainHead(parsing: "12:" + hash)?.description == "12:" + hash)
        for bad in ["", "12", "12:", ":" + hash, "0:" + hash, "12:abc", "x:" + hash, "12:" + hash + "0"] {
            #expect(ChainHead(parsing: bad) == nil, "\(bad)")
        }
    }

    @Test func aMalformedAnchorLineIsNamedByFileAndLine() throws {
        let path = TemporaryDirectory().path + "/copy.anchors"
        try "\nnot json\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: AnchorLogError.malformed(path: path, line: 2, detail: "not a JSON object")) {
            try AnchorLog(path: path).anchors()
        }
    }

    @Test func everyNotificationPayloadCarriesTheHeadTheOutboxRowWasWrittenAt() throws {
        let store = try fileStore()
        let (incident, _) = try store.declareIncident(.sample(), actor: "alice", at: time)
        let notification = EscalationNotification(
            kind: .escalation, incidentID: incident.id, title: "Database down", runbook: "database-issues",
            severity: .p1, isDrill: false, occurredAt: time, message: "P1 incident #1 unacknowledged: escalating")
        let commit = try #require(
            try store.updateEscalation(
                incidentID: incident.id, actor: "escalator", at: time, channels: EscalationChannels { _ in ["ops"] },
                extraPayload: [:]
            ) { state in
                EscalationOutcome(
                    state: state, events: [EventDraft(.escalationTriggered, payload: ["reason": "response_timeout"])],
                    notifications: [notification])
            })
        let head = try #require(try store.chainHead(incidentID: incident.id))
        #expect(head.sequence == commit.events.last?.sequence)
        let stored = try #require(try store.outbox(incidentID: incident.id).first).notification
        #expect(stored.chainHead == head)
        // The escalation anchored too.
        #expect(try store.anchorLog?.anchors(incidentID: incident.id).last?.head == head)

        let json = try JSONValue(parsing: String(decoding: stored.jsonData(), as: UTF8.self))
        #expect(json["chain_head"] == head.json)
        let slack = SlackNotifier(channel: "ops", webhookURL: nil).payload(for: stored)
        #expect(slack["text"]?.stringValue?.hasSuffix(" · chain head \(head)") == true)
        let pagerDuty = PagerDutyNotifier(channel: "pd", routingKey: "k").payload(for: stored, routingKey: "k")
        #expect(pagerDuty["payload"]?["custom_details"]?["chain_head"] == head.json)
    }
}

private final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [AnchorLogError] = []
    func add(_ error: AnchorLogError) { lock.withLock { errors.append(error) } }
    var all: [AnchorLogError] { lock.withLock { errors } }
}
