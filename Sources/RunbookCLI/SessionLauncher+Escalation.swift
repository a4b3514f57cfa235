import Foundation
import RunbookKit

extension SessionLauncher {
    /// The escalation scheduler of a session: on the session's clock (a `ScaledClock` in drills at speed), with
    /// the channels of `runbooks/notifiers.yaml`. `nil` when the store keeps no timers (test fakes).
    ///
    /// A broken `notifiers.yaml` never stops an incident from starting: it is reported, and escalations go to the
    /// terminal only.
    func makeScheduler(store: any TranscriptStore, clock: any Clock) -> EscalationScheduler? {
        guard let store = store as? any EscalationStore else { return nil }
        let environment = ProcessInfo.processInfo.environment
        var configuration = NotifierConfiguration()
        do {
            configuration = try NotifierConfiguration.load(runbooksDirectory: options.runbooksDirectory)
        } catch {
            warn("\(error)\nescalations are shown in this terminal only")
        }
        for variable in configuration.missingSecrets(environment: environment) {
            warn("warning: \(variable) is not set; notifications through that channel will fail")
        }
        let actor = ResponderIdentity.current(environment: environment).actor
        let notifiers = configuration.makeNotifiers(environment: environment)
        // Event timestamps follow the session's clock, like every other event of the session, so that the drill
        // debrief measures acknowledgements and escalations on one time line. Outbox rows are stamped on that
        // clock too, so the deliverer must read it to find them due (its backoff then runs at the drill's speed).
        let deliverer =
            notifiers.isEmpty
            ? nil
            : NotificationDeliverer(
                store: store, notifiers: notifiers, retry: configuration.retry, clock: clock, actor: actor,
                attemptTimeout: configuration.attemptTimeout)
        return EscalationScheduler(
            store: store, engine: EscalationEngine(calendar: configuration.calendar), clock: clock, wallClock: clock,
            channels: EscalationChannels(notifiers: notifiers), repeatLimit: configuration.repeatLimit, actor: actor,
            deliverer: deliverer)
    }

    /// The escalation policy for a new incident, or `nil` (said once) when the runbooks directory has none or
    /// it does not parse: the incident is then declared without timers.
    func escalationPolicy() -> EscalationPolicy? {
        let path = (options.runbooksDirectory as NSString).appendingPathComponent("escalation.md")
        guard FileManager.default.fileExists(atPath: path) else {
            write("no escalation policy (\(path) is missing): this incident has no escalation timers\n")
            return nil
        }
        do {
            return try RunbookCatalog(directory: options.runbooksDirectory).escalationPolicy()
        } catch {
            write("escalation policy unusable, this incident has no escalation timers:\n\(error)\n")
            return nil
        }
    }

    /// Runs `body` with the notification deliverer running in the background, and stops it afterwards.
    func withDeliverer<T>(_ scheduler: EscalationScheduler?, _ body: () throws -> T) rethrows -> T {
        scheduler?.deliverer?.start()
        defer { scheduler?.deliverer?.stop(timeout: 2) }
        return try body()
    }

    func warn(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }
}
