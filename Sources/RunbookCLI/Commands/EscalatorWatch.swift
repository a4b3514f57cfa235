import Foundation
import RunbookKit

/// Watches the escalator a session depends on: starts one when none runs (unless `RUNBOOK_ESCALATOR=off`), and
/// gives the REPL one short warning, naming the fix, when the incident waits for an escalator that has sent no
/// heartbeat recently.
final class EscalatorWatch {
    let store: any TeamStore
    let database: DatabaseLocation
    let runbooksDirectory: String
    let session: IncidentSession
    let clock: any Clock
    /// How often the lease is looked at.
    let interval: TimeInterval = 2
    /// How long a just-started escalator gets to send its first heartbeat.
    let grace: TimeInterval = 5
    private var lastCheck: Date?
    private var lastLaunch: Date?
    private var warned = false

    init(
        store: any TeamStore, database: DatabaseLocation, runbooksDirectory: String, session: IncidentSession,
        clock: any Clock = SystemClock()
    ) {
        self.store = store
        self.database = database
        self.runbooksDirectory = runbooksDirectory
        self.session = session
        self.clock = clock
    }

    /// Starts an escalator now if none runs; whether one was started.
    @discardableResult
    func ensure() -> Bool {
        guard
            case .started = EscalatorLauncher.ensureRunning(
                store: store, database: database, runbooksDirectory: runbooksDirectory)
        else { return false }
        lastLaunch = clock.now()
        return true
    }

    /// The warning to show now, at most once until an escalator runs again; `nil` otherwise.
    func warning() -> String? {
        let now = clock.now()
        if let lastCheck, now.timeIntervalSince(lastCheck) < interval { return nil }
        lastCheck = now
        guard session.waitsForEscalator(), EscalatorLauncher.liveLease(store: store, now: now) == nil
        else {
            warned = false
            return nil
        }
        if let lastLaunch, now.timeIntervalSince(lastLaunch) < grace { return nil }
        // Started just now: it gets its grace period before anyone is warned.
        if EscalatorLauncher.autoStartEnabled(), lastLaunch.map({ now.timeIntervalSince($0) > 30 }) ?? true,
            ensure()
        {
            return nil
        }
        guard !warned else { return nil }
        warned = true
        return "warning: no escalator is running for this incident's store: escalations will not fire and nobody "
            + "is paged. Fix: runbook escalator --db \(store.storeName) --runbooks \(runbooksDirectory) "
            + "(docs/escalation.md)"
    }
}
