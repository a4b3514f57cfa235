import Foundation
import RunbookKit

extension SessionLauncher {
    /// The escalation scheduler of a session: on the session's clock (a `ScaledClock` in drills at speed), with
    /// the channels of `runbooks/notifiers.yaml`. `nil` when the store keeps no timers (test fakes).
    ///
    /// A session records what the responder does (declare, ack, severity, resolve) and queues notifications; it
    /// never fires timers or delivers: the escalator process does, whatever this terminal is doing. A broken
    /// `notifiers.yaml` never stops an incident from starting: it is reported, and nobody is notified.
    func makeScheduler(store: any TranscriptStore, clock: any Clock) -> EscalationScheduler? {
        guard let store = store as? any EscalationStore else { return nil }
        let environment = ProcessInfo.processInfo.environment
        var configuration = NotifierConfiguration()
        do {
            configuration = try NotifierConfiguration.load(runbooksDirectory: options.runbooksDirectory)
        } catch {
            warn("\(error)\nescalations are recorded and shown here, but no channel is notified")
        }
        for variable in configuration.missingSecrets(environment: environment) {
            warn("warning: \(variable) is not set; notifications through that channel will fail")
        }
        let actor = ResponderIdentity.current(environment: environment).actor
        let notifiers = configuration.makeNotifiers(environment: environment)
        // Event timestamps follow the session's clock, like every other event of the session, so that the drill
        // debrief measures acknowledgements and escalations on one time line.
        return EscalationScheduler(
            store: store, engine: EscalationEngine(calendar: configuration.calendar), clock: clock, wallClock: clock,
            channels: EscalationChannels(notifiers: notifiers), repeatLimit: configuration.repeatLimit, actor: actor)
    }

    /// Says once, at the start of a session, when no channel will hear of an escalation.
    func sayWhoIsNotified(_ session: IncidentSession) {
        guard session.dependencies.escalation != nil, !options.dryRun else { return }
        let configured = (try? NotifierConfiguration.load(runbooksDirectory: options.runbooksDirectory))?.channels
        if configured?.isEmpty ?? true {
            writeProse("escalations: " + EscalationBanner.noChannels.replacingOccurrences(of: "was", with: "will be"))
        }
    }

    /// Makes sure an escalator runs for the session's store, and has the REPL warn when none does.
    func watchEscalator(_ session: IncidentSession, repl: IncidentREPL) {
        guard !options.dryRun, session.dependencies.escalation != nil,
            let store = session.dependencies.store as? any TeamStore
        else { return }
        let database = DatabaseLocation.resolve(
            flag: options.databasePath, environment: ProcessInfo.processInfo.environment,
            currentDirectory: FileManager.default.currentDirectoryPath)
        let watch = EscalatorWatch(
            store: store, database: database, runbooksDirectory: options.runbooksDirectory, session: session)
        watch.ensure()
        repl.escalatorWarning = { watch.warning() }
    }

    /// The escalation policy for a new incident, or `nil` (said once) when there is none or it does not parse:
    /// the incident is then declared without timers.
    func escalationPolicy() -> EscalationPolicy? {
        Self.escalationPolicy(runbooksDirectory: options.runbooksDirectory) { writeProse($0) }
    }

    /// The policy `EscalationPolicyLookup` finds for `runbooksDirectory` (its escalation.md, else the one in the
    /// user's configuration directory), or `nil` with the reason given to `say`, once: what `start`, `drill` and
    /// `declare` share.
    static func escalationPolicy(runbooksDirectory: String, say: (String) -> Void) -> EscalationPolicy? {
        guard let path = EscalationPolicyLookup.path(runbooksDirectory: runbooksDirectory) else {
            say(
                EscalationPolicyLookup.missingMessage(runbooksDirectory: runbooksDirectory)
                    + ": this incident has no escalation timers")
            return nil
        }
        do {
            if path == EscalationPolicyLookup.candidates(runbooksDirectory: runbooksDirectory)[0] {
                // The directory is listed (not parsed), so that its skipped files are named at start.
                for skipped in try RunbookCatalog.listRunbookFiles(in: runbooksDirectory).skipped {
                    say("warning: \(skipped.message)")
                }
            }
            return try EscalationPolicyLookup.policy(at: path)
        } catch {
            say("escalation policy unusable, this incident has no escalation timers:\n\(error)")
            return nil
        }
    }

    func warn(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }
}
