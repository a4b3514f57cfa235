import ArgumentParser
import Foundation
import RunbookKit

/// `runbook escalator`: fires every open incident's escalation timers and delivers the notification outbox of one
/// store, in the foreground (systemd, a container), or says whether one runs (`--status`).
struct EscalatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "escalator",
        abstract: "Run the escalator of a store: fire due escalation timers and deliver notifications.",
        discussion: """
            Exactly one escalator runs per store: a second one exits quietly (status 0). `start`, `resume`, \
            `drill`, `declare`, `record` and `ack` start one detached when none runs (RUNBOOK_ESCALATOR=off stops \
            that), so this command is for running it as a service: see docs/escalation.md for a systemd unit. \
            Channels, retries and the business calendar come from notifiers.yaml in the runbooks directory, and \
            channel secrets from this process's environment.

            Exit codes: 0 stopped (SIGTERM, idle, or another escalator runs), 1 with --status when none runs, \
            3 its lease was taken over, 4 database unusable.
            """)

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print whether an escalator runs for the store, its pid, heartbeat and pending work, and exit.")
    var status = false

    @Option(
        help: ArgumentHelp(
            "Exit after this many seconds with no open incident and nothing to deliver.", valueName: "seconds"))
    var idleExit: Double?

    @Flag(help: .hidden)
    var detached = false

    func validate() throws {
        if let idleExit, !(idleExit > 0 && idleExit <= 86_400 * 365) {
            throw ValidationError("--idle-exit must be a positive number of seconds.")
        }
    }

    func run() throws {
        // The channels' secrets are taught to the store's redactor below, before anything is delivered: a
        // notifier error or an HTTP error body that echoes a webhook URL is stored redacted.
        let redactor = Redactor()
        let store = try StoreOpener.open(global, redactor: redactor)
        if status { return try printStatus(store) }
        // Detached (auto-started): immune to a hang-up, and the log says when it started.
        if detached { signal(SIGHUP, SIG_IGN) }
        let environment = ProcessInfo.processInfo.environment
        let configuration = EscalatorFactory.notifierConfiguration(
            runbooksDirectory: global.runbooksDirectory, redactor: redactor, environment: environment, log: Self.log)
        let escalator = EscalatorFactory.escalator(
            store: store, configuration: configuration, environment: environment, idleExit: idleExit,
            databasePath: store.path, log: { Self.log(redactor.redact($0)) })
        guard try escalator.acquire() else {
            let holder = try store.escalatorLease().map { " (pid \($0.pid) on \($0.host))" } ?? ""
            Self.log("an escalator already runs for \(store.path)\(holder); this one exits")
            return
        }
        Self.log(
            "escalator for \(store.path): channels "
                + (configuration.channels.isEmpty
                    ? "none (no notifiers are configured in \(global.runbooksDirectory)/notifiers.yaml)"
                    : configuration.channels.map(\.name).joined(separator: ", ")))
        let stopper = StopSignals(escalator)
        defer { stopper.restore() }
        if try escalator.run() == .fenced { throw ExitCode(3) }
    }

    func printStatus(_ store: SQLiteTranscriptStore) throws {
        let now = Date()
        let load = try store.escalatorWorkload()
        let lease = try store.escalatorLease()
        let live = EscalatorLauncher.liveLease(store: store, now: now)
        if let live {
            print(
                "escalator: running, pid \(live.pid) on \(live.host), since \(Self.time(live.startedAt)), "
                    + "last heartbeat \(Self.seconds(now.timeIntervalSince(live.heartbeatAt))) ago (token \(live.token))"
            )
        } else if let lease {
            let ended =
                lease.releasedAt.map { "stopped at \(Self.time($0))" }
                ?? "no heartbeat since \(Self.time(lease.heartbeatAt))"
            print("escalator: not running (last: pid \(lease.pid) on \(lease.host), \(ended))")
        } else {
            print("escalator: not running (none has run on this store)")
        }
        var timers = "pending timers: \(load.pendingTimers)"
        if let next = try store.nextTimerDue() {
            let left = next.timeIntervalSince(now)
            timers += left >= 0 ? " (next due in \(Self.seconds(left)))" : " (next overdue by \(Self.seconds(-left)))"
        }
        print(timers)
        print("pending notifications: \(load.pendingNotifications)")
        print("open incidents: \(load.openIncidents)")
        if live == nil { throw ExitCode(1) }
    }

    static func time(_ date: Date) -> String { EscalationNotification.iso8601(date) }

    static func seconds(_ value: TimeInterval) -> String {
        value < 60 ? String(format: "%.1f s", value) : String(format: "%d min %02d s", Int(value) / 60, Int(value) % 60)
    }

    /// One line, stamped with the UTC time, on stderr (the log file when detached).
    static func log(_ line: String) {
        FileHandle.standardError.write(Data("\(time(Date())) \(line)\n".utf8))
    }
}

/// SIGTERM and SIGINT ask the escalator to stop after its current pass; deliveries in flight finish first.
final class StopSignals: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []

    init(_ escalator: Escalator) {
        for signalNumber in [SIGTERM, SIGINT] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { escalator.requestStop() }
            source.resume()
            sources.append(source)
        }
    }

    func restore() {
        for source in sources { source.cancel() }
        signal(SIGTERM, SIG_DFL)
        signal(SIGINT, SIG_DFL)
    }
}
