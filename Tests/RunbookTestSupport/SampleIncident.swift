import Foundation
import RunbookKit

/// A scripted incident with a fixed clock, recorded through the `TranscriptStore` protocol into any store.
///
/// It exercises what exports must survive: an edited step, a failed command, output with ANSI colours, backticks,
/// pipes and bytes that are not UTF-8, a severity change, an escalation, notifications, a hand-off and notes.
public enum SampleIncident {
    /// 2026-01-01T00:00:00Z, the declaration time.
    public static let start = Date(timeIntervalSince1970: 1_767_225_600)

    /// The matrix at declaration, in the matrix's own wording.
    public static let policySnapshot: JSONValue = [
        "rules": [
            ["severity": "P0", "response_time": "15 minutes", "targets": ["CTO", "On-call"]],
            ["severity": "P1", "response_time": "30 minutes", "targets": ["DevOps Lead"]],
            ["severity": "P2", "response_time": "2 hours", "targets": ["On-call Engineer"]],
            ["severity": "P3", "response_time": "1 business day", "targets": ["Team Lead"]],
        ]
    ]

    /// Output of the second command: a fence-breaking backtick run, table-breaking pipes, colour and bad bytes.
    public static let hostileOutput: Data = {
        var data = Data("Error: release `api` failed:\n```\nnot a fence | col | col\n".utf8)
        data.append(Data("\u{1B}[1;31mFAILED\u{1B}[0m rollback\n".utf8))
        data.append(contentsOf: [0x62, 0x61, 0x64, 0xFF, 0xFE, 0x20, 0x62, 0x79, 0x74, 0x65, 0x73, 0x0A])
        data.append(Data("````` five backticks\n".utf8))
        return data
    }()

    /// Records the incident and returns its id. `resolved: false` stops before mitigation (an open incident);
    /// `drill: true` declares it as a drill in staging and ends with a debrief.
    @discardableResult
    public static func record(into store: any TranscriptStore, resolved: Bool = true, drill: Bool = false) throws
        -> Int64
    {
        let alice = "alice@ops-1"
        let bob = "bob@laptop"
        let (incident, _) = try store.declareIncident(
            IncidentDeclaration(
                title: "Checkout API returning 502s", runbook: "outage", environment: drill ? "staging" : "production",
                severity: .p2, isDrill: drill, host: "ops-1", user: "alice", policySnapshot: policySnapshot,
                incidentKey: "5a3c0ffee0ddf00d5a3c0ffee0ddf00d"),
            actor: alice, at: start)
        let id = incident.id
        func at(_ seconds: TimeInterval) -> Date { start.addingTimeInterval(seconds) }
        @discardableResult
        func append(
            _ type: EventType, step: String? = nil, _ payload: JSONValue = [:], by actor: String = alice,
            at seconds: TimeInterval
        ) throws -> RecordedEvent {
            try store.append(EventDraft(type, stepID: step, payload: payload), to: id, actor: actor, at: at(seconds))
        }

        try append(
            .stepShown, step: "check-pods",
            [
                "title": "Check pod status", "command": "kubectl get pods -n prod", "runbook": "outage", "index": 1,
                "total": 3,
            ], at: 5)
        try append(.ackReceived, ["by": "alice"], at: 20)
        try append(.stepApproved, step: "check-pods", at: 30)
        let first = try append(
            .commandStarted, step: "check-pods", ["command": "kubectl get pods -n prod", "cwd": "/srv"], at: 31)
        try store.appendOutput(
            [
                OutputChunk(offset: 0.25, data: Data("NAME    READY   STATUS\n".utf8)),
                OutputChunk(offset: 1.5, data: Data("api-1   0/1     \u{1B}[31mCrashLoopBackOff\u{1B}[0m\n".utf8)),
            ], incidentID: id, commandSequence: first.sequence)
        try append(
            .commandFinished, step: "check-pods",
            ["exit_code": 0, "signal": nil, "duration_ms": 1500, "timed_out": false, "bytes": 60, "dropped_bytes": 0],
            at: 33)
        try append(.severityChanged, ["from": "P2", "to": "P1", "reason": "errors spreading to | payments"], at: 60)
        try append(.noteAdded, ["text": "TODO: alert on readiness probe failures"], at: 90)
        try append(
            .stepShown, step: "rollback",
            [
                "title": "Roll back the release", "command": "helm rollback api 41", "runbook": "outage", "index": 2,
                "total": 3,
            ], at: 120)
        try append(
            .stepEdited, step: "rollback", ["before": "helm rollback api 41", "after": "helm rollback api 40"], at: 140)
        try append(.stepApproved, step: "rollback", at: 150)
        let second = try append(
            .commandStarted, step: "rollback", ["command": "helm rollback api 40", "cwd": "/srv"], at: 151)
        try store.appendOutput(
            [
                OutputChunk(offset: 0.5, data: hostileOutput.prefix(40)),
                OutputChunk(offset: 2.0, data: hostileOutput.dropFirst(40)),
            ], incidentID: id, commandSequence: second.sequence)
        try append(
            .commandFinished, step: "rollback",
            ["exit_code": 1, "signal": nil, "duration_ms": 2250, "timed_out": false, "bytes": 120, "dropped_bytes": 0],
            at: 154)
        try append(.escalationTriggered, ["level": 1, "targets": ["DevOps Lead"], "severity": "P1"], at: 1860)
        try append(.notificationSent, ["channel": "slack", "attempt": 1, "status": 200, "error": nil], at: 1861)
        try append(
            .notificationFailed, ["channel": "email", "attempt": 1, "status": nil, "error": "connection refused"],
            at: 1862)
        try append(.handoff, ["to": .string(bob)], at: 1900)
        try append(.ackReceived, ["by": "bob"], by: bob, at: 2100)
        try append(.stepSkipped, step: "verify", ["reason": "dashboards already green"], by: bob, at: 2200)
        try append(.choiceMade, ["option": "Database", "target": "database-issues"], by: bob, at: 2250)
        try append(
            .noteAdded, ["text": "action: write up | the `helm` history\nand keep the 40 release pinned"], by: bob,
            at: 2300)
        guard resolved else { return id }
        try append(.statusChanged, ["from": "open", "to": "mitigated", "reason": "rolled back"], by: bob, at: 2400)
        if drill {
            try append(
                .drillDebrief,
                ["went_well": "Rollback was quick", "to_improve": ["Page earlier", "Pin releases"], "score": 4],
                by: bob, at: 2950)
        }
        try append(.incidentResolved, ["summary": "Rolled back to release 40"], by: bob, at: 3000)
        return id
    }
}
