// The writer processes of scripts/bench-team-appends: several processes appending to one incident of the
// PostgreSQL store, and the check that nothing was lost or duplicated and the chain verifies.
//
//   team-bench setup URL                 declares an incident; prints its id
//   team-bench write URL ID WRITER COUNT appends COUNT notes "WRITER-i" through the library (the password: PGPASSWORD)
//   team-bench check URL ID WRITERS COUNT prints "lost N duplicated N chain intact|BROKEN", exits 1 unless all hold
import Foundation
import RunbookKit
import RunbookPostgres

let arguments = CommandLine.arguments
func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("team-bench: \(message)\n".utf8))
    exit(2)
}
guard arguments.count >= 3 else { fail("usage: team-bench setup|write|check URL …") }
let store = try PostgresTranscriptStore(location: PostgresLocation(url: arguments[2]), redactor: nil)
let actor = "bench@\(ProcessInfo.processInfo.hostName)"

switch arguments[1] {
case "setup":
    let (incident, _) = try store.declareIncident(
        IncidentDeclaration(
            title: "bench", runbook: "bench", environment: "staging", severity: .p2, host: "bench", user: "bench"),
        actor: actor, at: Date())
    print(incident.id)
case "write":
    guard arguments.count == 6, let id = Int64(arguments[3]), let count = Int(arguments[5]) else {
        fail("usage: team-bench write URL ID WRITER COUNT")
    }
    for index in 0..<count {
        _ = try store.append(
            EventDraft(.noteAdded, payload: ["text": .string("\(arguments[4])-\(index)")]), to: id, actor: actor,
            at: Date())
    }
case "check":
    guard arguments.count == 6, let id = Int64(arguments[3]), let writers = Int(arguments[4]),
        let count = Int(arguments[5])
    else { fail("usage: team-bench check URL ID WRITERS COUNT") }
    let events = try store.events(incidentID: id)
    let notes = events.compactMap { $0.type == .noteAdded ? $0.payload["text"]?.stringValue : nil }
    let expected = Set((0..<writers).flatMap { writer in (0..<count).map { "w\(writer)-\($0)" } })
    let lost = expected.subtracting(notes).count
    let duplicated = notes.count - Set(notes).count
    let gapless = events.map(\.sequence) == Array(1...Int64(events.count))
    let intact = try store.verify(incidentID: id).isIntact && gapless
    print("lost \(lost) duplicated \(duplicated) chain \(intact ? "intact" : "BROKEN")")
    exit(lost == 0 && duplicated == 0 && intact ? 0 : 1)
default:
    fail("unknown mode \(arguments[1])")
}
