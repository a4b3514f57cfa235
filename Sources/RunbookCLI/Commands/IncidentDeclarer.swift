import Foundation
import RunbookKit

/// The one way an incident is declared outside a session: `runbook declare` and `runbook serve`'s Alertmanager
/// intake. With the runbooks directory's escalation policy, the declaration carries its snapshot and arms the
/// response timer in the same transaction, as `start` does; without one, the incident is declared with no timer.
public enum IncidentDeclarer {
    /// Declares `declaration` in `store` as `actor`, and says whether escalation timers were armed; `say` hears
    /// why there is no escalation policy, if there is none.
    public static func declare(
        _ declaration: IncidentDeclaration, in store: any EscalationStore, runbooksDirectory: String, actor: String,
        say: (String) -> Void
    ) throws -> (incident: Incident, armed: Bool) {
        guard let policy = SessionLauncher.escalationPolicy(runbooksDirectory: runbooksDirectory, say: say) else {
            return (try store.declareIncident(declaration, actor: actor, at: Date()).0, false)
        }
        // The same declaration as `start`: the policy snapshot and the response timer, with the event.
        let configuration =
            (try? NotifierConfiguration.load(runbooksDirectory: runbooksDirectory)) ?? NotifierConfiguration()
        let scheduler = EscalationScheduler(store: store, configuration: configuration, actor: actor, delivering: false)
        return (try scheduler.declare(declaration, policy: policy).0, true)
    }
}
