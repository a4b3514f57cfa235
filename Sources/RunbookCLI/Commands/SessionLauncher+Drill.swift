import Foundation
import RunbookKit

extension SessionLauncher {
    /// Declares a drill and runs the REPL over it, with injects as banners and a debrief at the end.
    ///
    /// The start path of `start()`, plus what a drill needs: the escalation policy recorded as the incident's
    /// snapshot (so the debrief can check response times), an inject scheduler on the session's clock, and
    /// the debrief when the drill is resolved or abandoned.
    public func startDrill(_ plan: DrillPlan) throws -> DrillOutcome {
        let production = try ProductionEnvironments.load(runbooksDirectory: options.runbooksDirectory)
        let (session, reader) = try declare(
            isDrill: true, policySnapshot: Self.policySnapshot(runbooksDirectory: options.runbooksDirectory),
            drillSetup: plan.setup,
            checkEnvironment: {
                if production.contains($0) { throw DrillError.productionRefused(environment: $0) }
            })
        let renderer = SessionRenderer.forREPL(interactive: reader.isInteractive)
        let target = drillTarget(simulation: plan.simulation, environment: session.environment)
        var header =
            "DRILL · incident #\(session.incidentID) declared: \(ControlCharacters.oneLine(session.incident.title)) · "
            + "\(session.severity.rawValue) · \(ControlCharacters.oneLine(session.environment))"
        if plan.speed != 1 { header += " · clock ×\(Self.number(plan.speed))" }
        if let simulation = plan.simulation { header += " · simulator: \(simulation)" }
        header += " · " + target.header
        write(renderer.wrapped(renderer.paint(header, .bold, .yellow)) + "\n")
        if !plan.injects.isEmpty {
            write("DRILL: \(plan.injects.count) injects will arrive on the drill clock\n")
        }
        preflight(session, renderer: renderer)
        return try runDrillREPL(
            session: session, reader: reader, renderer: renderer, injects: plan.injects, tag: target.promptTag,
            simulation: plan.simulation)
    }

    /// What the drill's commands reach, for the header and the prompt: the simulator (sealed off the network or
    /// not), or the real environment and, when `kubectl` is on PATH, its current context.
    func drillTarget(simulation: String?, environment: String) -> (header: String, promptTag: String) {
        if simulation != nil {
            let sealed =
                options.isolation == .network
                ? "commands sealed off the network" : "commands NOT sealed off the network (--no-isolation)"
            return ("SIMULATED, \(sealed)", "DRILL SIMULATED")
        }
        let context = KubeContext.current(environment: options.baseEnvironment())
        let contextText = context.map { ", kube context \($0)" } ?? ""
        return (
            "REAL target: \(environment)\(contextText)",
            "DRILL REAL" + (context.map { " kube:\($0)" } ?? "")
        )
    }

    /// Continues a drill after `resume`: says how it runs, re-arms the scenario's injects not yet delivered, and
    /// removes the simulated cluster once the drill is over.
    func resumeDrill(
        _ session: IncidentSession, setup: DrillSetup, simulation: DrillSimulation?, reader: any LineReading,
        renderer: SessionRenderer
    ) throws -> ExitStatus {
        var line = "DRILL · clock ×\(Self.number(setup.speed))"
        if let simulation {
            line += " · simulator: \(simulation.scenario)"
            if !simulation.keptState {
                line += " (its state was lost; the simulated cluster starts again from the scenario's broken state)"
            }
        }
        let target = drillTarget(simulation: simulation?.scenario, environment: session.environment)
        line += " · " + target.header
        write(renderer.wrapped(renderer.paint(line, .bold, .yellow)) + "\n")
        var injects: [DrillInject] = []
        if let path = setup.scenarioPath {
            do {
                let delivered = try session.dependencies.store.events(incidentID: session.incidentID)
                    .filter { $0.type == .drillInject }.compactMap { $0.payload["at_seconds"]?.doubleValue }
                var remaining = delivered
                for inject in try DrillScenario.load(path: path).injects.sorted(by: { $0.at < $1.at }) {
                    if let index = remaining.firstIndex(of: inject.at) {
                        remaining.remove(at: index)
                    } else {
                        injects.append(inject)
                    }
                }
            } catch {
                write("warning: the scenario's injects are not re-armed (\(error))\n")
            }
        }
        let outcome = try runDrillREPL(
            session: session, reader: reader, renderer: renderer, injects: injects, tag: target.promptTag,
            simulation: simulation?.scenario)
        if outcome.ended { simulation?.cleanUp() }
        return outcome.status
    }

    /// The REPL of a drill, started or resumed: injects as banners on the drill clock, and the debrief when the
    /// drill is resolved or abandoned.
    func runDrillREPL(
        session: IncidentSession, reader: any LineReading, renderer: SessionRenderer, injects: [DrillInject],
        tag: String, simulation: String?
    ) throws -> DrillOutcome {
        defer { session.driverLease?.release() }
        let dependencies = session.dependencies
        let scheduler = InjectScheduler(
            injects: injects, start: session.incident.declaredAt, clock: dependencies.clock)
        let repl = IncidentREPL(
            session: session, reader: reader, renderer: renderer, write: write, commandOutput: DiscardingOutputSink())
        repl.drillTag = tag
        repl.stepTarget = stepTargetReader(environment: session.environment, simulation: simulation).target(of:)
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
        watchEscalator(session, repl: repl)
        sayWhoIsNotified(session)
        let ending = try repl.run()
        let ended = ending == .resolved || ending == .abandoned
        if ended {
            let debrief = try session.recordDebrief()
            write(renderer.wrapped(renderer.paint(debrief.lines.joined(separator: "\n"), .bold)) + "\n")
        }
        return DrillOutcome(status: ending.exitStatus, ended: ended)
    }

    /// The escalation policy `EscalationPolicyLookup` finds as JSON, or `nil` when there is none that parses.
    static func policySnapshot(runbooksDirectory: String) -> JSONValue? {
        guard let path = EscalationPolicyLookup.path(runbooksDirectory: runbooksDirectory),
            let policy = try? EscalationPolicyLookup.policy(at: path),
            let data = try? JSONEncoder().encode(policy)
        else { return nil }
        return try? JSONValue(parsing: String(decoding: data, as: UTF8.self))
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
