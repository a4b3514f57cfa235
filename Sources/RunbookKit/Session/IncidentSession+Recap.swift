import Foundation

extension IncidentSession {
    /// The recap of this incident as recorded so far (`resume` opens with it).
    public func recap() throws -> IncidentRecap {
        IncidentRecap(events: try dependencies.store.events(incidentID: incident.id))
    }

    /// The latest run of exactly `command` in this incident, so a step that repeats a check says when it ran and
    /// what it returned before it is run again.
    public func previousRun(of command: String) throws -> IncidentRecap.CommandOutcome? {
        IncidentRecap.CommandOutcome.latest(of: command, in: try dependencies.store.events(incidentID: incident.id))
    }

    /// Whether the incident runs in a production environment (`ProductionEnvironments`): `resolve` there asks for
    /// a summary.
    public var isProduction: Bool { dependencies.productionEnvironments.contains(environment) }
}
