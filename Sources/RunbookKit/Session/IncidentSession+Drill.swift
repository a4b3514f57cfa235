import Foundation

extension IncidentSession {
    /// Records a drill inject as `drill.inject` {at, message, drill_time}; the REPL shows it only afterwards.
    @discardableResult
    public func recordInject(_ inject: DrillInject) throws -> RecordedEvent {
        try record(
            EventDraft(
                .drillInject,
                payload: [
                    "at": .string(DrillInject.duration(inject.at)), "at_seconds": .double(inject.at),
                    "message": .string(inject.message),
                    "drill_time": .double((elapsed() * 1000).rounded() / 1000),
                ]))
    }

    /// Computes the debrief from the recorded events and records it as `drill.debrief`.
    public func recordDebrief() throws -> DrillDebrief {
        let events = try dependencies.store.events(incidentID: incident.id)
        let debrief = DrillDebrief.make(incident: incident, events: events)
        try record(EventDraft(.drillDebrief, payload: debrief.payload))
        return debrief
    }
}
