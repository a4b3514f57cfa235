import ArgumentParser
import Foundation
import RunbookKit

/// `runbook ack ID --by NAME`: acknowledge an incident from any shell.
struct AckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ack",
        abstract: "Acknowledge an incident: stop its escalation and tell the channels that were paged.",
        discussion: """
            Records ack.received, cancels the pending escalation timer, and queues an acknowledgement to every \
            channel that was paged (PagerDuty: acknowledge), delivering it before exiting. Running a step is not \
            an acknowledgement; this is.

            Exit codes: 0 acknowledged, 2 no such incident or a bad notifiers.yaml, 4 database unusable, \
            5 the incident is already resolved.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(
        help: ArgumentHelp("The incident id (`runbook incidents --open` lists them).", valueName: "ID"),
        completion: ShellCompletion.incidentIDs)
    var id: Int64

    @Option(name: .long, help: ArgumentHelp("Who acknowledges (default: $USER).", valueName: "name"))
    var by: String?

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let name = by ?? environment["USER"] ?? NSUserName()
        let configuration = try NotifierConfiguration.load(runbooksDirectory: global.runbooksDirectory)
        let store = try StoreOpener.open(global, redactor: StoreOpener.recordingRedactor(global))
        guard try store.incident(id) != nil else { throw EscalationError.unknownIncident(incidentID: id) }
        for variable in configuration.missingSecrets(environment: environment) {
            FileHandle.standardError.write(
                Data("warning: \(variable) is not set; notifications through that channel will fail\n".utf8))
        }
        // A drill's acknowledgement is on its drill clock, like the rest of the drill.
        let drillClock = try DrillSetup.recorded(incidentID: id, in: store)?.clock
        let scheduler = EscalationScheduler(
            store: store, configuration: configuration, clock: drillClock ?? SystemClock(),
            wallClock: drillClock ?? SystemClock(), environment: environment,
            actor: ResponderIdentity.current(environment: environment).actor, delivering: false)
        let report = try scheduler.acknowledge(incidentID: id, by: name)
        let event = report.events.first { $0.type == .ackReceived }
        if let previous = event?.payload["already_acknowledged_by"]?.stringValue {
            print("Incident \(id) was already acknowledged by \(previous); recorded \(name)'s acknowledgement too.")
        } else {
            print("Incident \(id) acknowledged by \(name): escalation stopped.")
        }
        guard !report.notifications.isEmpty else { return }
        // The escalator delivers (and retries) it; wait a little to say what became of it.
        EscalatorLauncher.ensureRunning(
            store: store, database: StoreOpener.location(global), runbooksDirectory: global.runbooksDirectory)
        let end = Date().addingTimeInterval(configuration.attemptTimeout + 2)
        var entries: [OutboxEntry] = []
        repeat {
            entries = try store.outbox(incidentID: id).filter { $0.notification.kind == .acknowledge }
            if entries.allSatisfy({ $0.status == .sent || $0.status == .failed }) { break }
            Thread.sleep(forTimeInterval: 0.1)
        } while Date() < end
        for entry in entries {
            let state: String
            switch entry.status {
            case .sent: state = "delivered"
            case .failed: state = "not delivered, given up: \(entry.lastError ?? "unknown error")"
            case .pending, .sending:
                state =
                    "not delivered yet (\(entry.lastError ?? "queued")); the escalator keeps trying "
                    + "(runbook escalations \(id) shows it)"
            }
            print("  \(entry.channel): \(state)")
        }
    }
}
