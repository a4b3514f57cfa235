import Foundation
import RunbookKit

extension SessionLauncher {
    /// Declares a drill and runs the REPL over it, with injects as banners and a debrief at the end.
    ///
    /// The start path of `start()`, plus what a drill needs: the escalation policy recorded as the incident's
    /// snapshot (so the debrief can check response times), an inject scheduler on the session's clock, and
    /// the debrief when the drill is resolved or abandoned.
    public func startDrill(_ plan: DrillPlan) throws -> ExitStatus {
        let reader = try makeReader()
        let redactor = services.makeRedactor()
        let loader = try services.loadRunbooks(options.runbooksDirectory)
        let runbook = try loader.runbook(id: options.runbookID)
        let environment = try options.environment ?? askEnvironment(for: runbook, reader: reader)
        if environment == "production" { throw DrillError.productionRefused }
        let store = try services.openStore(options.databasePath, redactor)
        let dependencies = makeDependencies(store: store, loader: loader, redactor: redactor, reader: reader)
        let identity = ResponderIdentity.current()
        let policy = dependencies.escalation == nil ? nil : escalationPolicy()
        let session = try IncidentSession.start(
            IncidentStart(
                runbookID: runbook.id, environment: environment, severity: options.severity, title: options.title,
                isDrill: true, host: identity.host, user: identity.user,
                policySnapshot: Self.policySnapshot(runbooksDirectory: options.runbooksDirectory),
                escalationPolicy: policy),
            dependencies: dependencies)
        let renderer = SessionRenderer(usesColor: reader.isInteractive && SessionRenderer.detectColor())
        var header =
            "DRILL · incident #\(session.incidentID) declared: \(session.incident.title) · "
            + "\(session.severity.rawValue) · \(session.environment)"
        if plan.speed != 1 { header += " · clock ×\(Self.number(plan.speed))" }
        if let simulation = plan.simulation { header += " · simulator: \(simulation)" }
        write(renderer.paint(header, .bold, .yellow) + "\n")
        if !plan.injects.isEmpty {
            write("DRILL: \(plan.injects.count) injects will arrive on the drill clock\n")
        }

        let scheduler = InjectScheduler(
            injects: plan.injects, start: session.incident.declaredAt, clock: dependencies.clock)
        let repl = IncidentREPL(
            session: session, reader: reader, renderer: renderer, write: write, commandOutput: DiscardingOutputSink())
        repl.dueBanners = {
            scheduler.due().compactMap { inject in
                // Recorded before it is shown: what the responder saw is always in the transcript.
                guard let event = try? session.recordInject(inject) else { return nil }
                let drillTime = event.payload["drill_time"]?.doubleValue ?? inject.at
                return renderer.paint(
                    "⚑ DRILL INJECT \(inject.label) (drill time \(SessionRenderer.clock(drillTime))): \(inject.message)",
                    .yellow, .bold)
            }
        }
        let ending = try withDeliverer(dependencies.escalation) { try repl.run() }
        if ending == .resolved || ending == .abandoned {
            let debrief = try session.recordDebrief()
            write(renderer.paint(debrief.lines.joined(separator: "\n"), .bold) + "\n")
        }
        return ending.exitStatus
    }

    /// The escalation policy of the runbooks directory as JSON, or `nil` when it has none that parses.
    static func policySnapshot(runbooksDirectory: String) -> JSONValue? {
        guard let policy = try? RunbookCatalog(directory: runbooksDirectory).escalationPolicy(),
            let data = try? JSONEncoder().encode(policy)
        else { return nil }
        return try? JSONDecoder().decode(JSONValue.self, from: data)
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
