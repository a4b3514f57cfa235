// Seeds the escalator benchmark (scripts/bench-timers): N open P0 incidents on a fresh SQLite file, each with its
// response timer armed at a deadline spread evenly from START_MS over SPREAD seconds, through the real store
// (events, hash chain, timers), with repeats off so that each incident escalates exactly once.
// Usage: timer-bench DB N START_MS SPREAD_S
import Foundation
import RunbookKit

let arguments = CommandLine.arguments
guard arguments.count == 5, let count = Int(arguments[2]), let startMilliseconds = Double(arguments[3]),
    let spread = Double(arguments[4])
else {
    FileHandle.standardError.write(Data("usage: timer-bench DB N START_MS SPREAD_S\n".utf8))
    exit(2)
}
let store = try SQLiteTranscriptStore(path: arguments[1])
let policy = EscalationPolicy(
    rules: [
        EscalationRule(
            severity: .p0, description: "Complete outage", responseTime: .duration(900), targets: ["CTO", "On-call"])
    ],
    contacts: [Contact(role: "On-Call Engineer", contact: "alerts@example.com", availability: "24/7")])
let snapshot = EscalationSnapshot(policy: policy, repeatLimit: 0).json
let start = Date(timeIntervalSince1970: startMilliseconds / 1000)
for index in 0..<count {
    let deadline = start.addingTimeInterval(spread * Double(index) / Double(max(count - 1, 1)))
    _ = try store.declareIncident(
        IncidentDeclaration(
            title: "bench \(index)", runbook: "outage", environment: "production", severity: .p0, host: "bench",
            user: "bench", policySnapshot: snapshot),
        actor: "bench", at: Date(), channels: .none
    ) { state in
        var outcome = EscalationOutcome(state: state)
        let timer = EscalationTimer(
            incidentID: state.incidentID, kind: .response, deadline: deadline, generation: 1, repeat: 0)
        outcome.timerWrites = [.arm(timer)]
        outcome.state.timer = timer
        return outcome
    }
}
print("seeded \(count) incidents in \(arguments[1])")
