import Foundation
import RunbookKit

/// Records a postmortem fact from a one-shot command (`impact-start`, `detected`, `cause`, `action`): into an open or
/// closed incident, with the recording redactor, on the drill clock in a drill; prints `#<seq>` once committed.
enum FactRecorder {
    /// Builds the fact with `make` (given now and the declaration time) and records it in incident `id`.
    /// - Throws: `TranscriptError.unknownIncident` (exit 2), `IncidentFactError` (exit 2), store errors.
    static func record(
        _ global: GlobalOptions, incident id: Int64, _ make: (_ now: Date, _ declaredAt: Date) throws -> IncidentFact
    ) throws {
        let store = try StoreOpener.open(global, redactor: StoreOpener.recordingRedactor(global))
        guard let incident = try store.incident(id) else {
            throw TranscriptError.unknownIncident(id: id, path: store.storeName)
        }
        // A drill's facts are on its drill clock, like the rest of the drill.
        let clock: any Clock = try DrillSetup.recorded(incidentID: id, in: store)?.clock ?? SystemClock()
        let now = clock.now()
        let fact = try make(now, incident.declaredAt)
        let event = try store.append(fact.draft, to: id, actor: ResponderIdentity.current().actor, at: now)
        FileHandle.standardOutput.write(Data("#\(event.sequence) \(fact.confirmation)\n".utf8))
    }

    /// The exit codes every fact command documents.
    static let exitCodes =
        "Exit codes: 0 recorded (`#<seq>` is printed), 2 unknown incident or bad input (a TIME that cannot be read "
        + "or is in the future, missing text), 4 database unusable."

    /// How TIME is written, for the help of `impact-start` and `detected`.
    static let timeHelp = """
        TIME is a UTC time of day (14:05 or 14:05:30: on the day, of the declaration's and its neighbours, nearest \
        the declaration and not in the future), a time ago (-15m, -1h30m, -90s), `now`, or an ISO 8601 time with \
        a zone (2026-12-05T14:05:00Z). It may not be later than now (the drill clock in a drill).
        """
}
