import Foundation
import RunbookKit

/// Starts or resumes an incident session and runs the REPL over it: what `start`, `resume` and `drill` share.
public struct SessionLauncher {
    public var options: SessionLaunchOptions
    public var services: SessionServices

    /// Creates a launcher; `services` defaults to the real store, catalog, runners and redactor.
    public init(options: SessionLaunchOptions, services: SessionServices = .standard) {
        self.options = options
        self.services = services
    }

    /// Declares an incident and runs the REPL; returns the exit status.
    public func start() throws -> ExitStatus {
        let (session, reader) = try declare(isDrill: options.isDrill)
        let renderer = SessionRenderer.forREPL(interactive: reader.isInteractive)
        let header =
            "incident #\(session.incidentID) declared: \(ControlCharacters.oneLine(session.incident.title)) · "
            + "\(session.severity.rawValue) · \(ControlCharacters.oneLine(session.environment))"
            + (options.isDrill ? " · DRILL" : "")
        write(renderer.wrapped(renderer.paint(header, .bold)) + "\n")
        preflight(session, renderer: renderer)
        return try runREPL(session: session, reader: reader, renderer: renderer)
    }

    /// What `start` and `drill` share: reads the runbooks, asks for the environment when it was not given (the
    /// drill refuses production before anything is recorded), opens the store and declares the incident.
    func declare(
        isDrill: Bool, policySnapshot: JSONValue? = nil, drillSetup: DrillSetup? = nil,
        checkEnvironment: (String) throws -> Void = { _ in }
    ) throws -> (IncidentSession, any LineReading) {
        let reader = try makeReader()
        let redactor = try services.makeRedactor(options.runbooksDirectory)
        let loader = try services.loadRunbooks(options.runbooksDirectory)
        registerKnownSecrets(with: redactor, loader: loader)
        let runbook = try loader.runbook(id: options.runbookID)
        let environment = try options.environment ?? askEnvironment(for: runbook, reader: reader)
        try checkEnvironment(environment)
        let store = try services.openStore(options.databasePath, redactor)
        let dependencies = try makeDependencies(store: store, loader: loader, reader: reader)
        let identity = ResponderIdentity.current()
        let policy = dependencies.escalation == nil ? nil : escalationPolicy()
        let session = try IncidentSession.start(
            IncidentStart(
                runbookID: runbook.id, environment: environment, severity: options.severity, title: options.title,
                isDrill: isDrill, host: identity.host, user: identity.user, policySnapshot: policySnapshot,
                escalationPolicy: policy, drillSetup: drillSetup),
            dependencies: dependencies)
        if let leases = store as? any DriverLeaseStore {
            session.driverLease = try DriverLeaseKeeper.acquire(
                store: leases, incidentID: session.incidentID, identity: identity
            ).0
        }
        return (session, reader)
    }

    /// Resumes an open incident (the most recent when `incidentID` is `nil`) and runs the REPL.
    public func resume(incidentID: Int64?) throws -> ExitStatus {
        try continueIncident(incidentID, attachment: nil)
    }

    /// `runbook start [RUNBOOK] --incident ID`: begins the session of an incident declared without one (`runbook
    /// declare`, `runbook serve`'s Alertmanager intake) on `attachment`'s runbook, and runs the REPL. Refused
    /// before anything is recorded: an unknown or closed incident (exit 5), `--title` or an `--env` other than
    /// the incident's (exit 2). `--severity` is a severity change, recorded once the session holds the incident.
    public func attach(incidentID: Int64, attachment: IncidentAttachment) throws -> ExitStatus {
        try continueIncident(incidentID, attachment: attachment)
    }

    /// What `resume` and `start --incident` share: the chain check, a drill's set-up, the driver lease, the state
    /// rebuilt from the transcript (`IncidentSession.resume`), then the REPL.
    private func continueIncident(_ incidentID: Int64?, attachment: IncidentAttachment?) throws -> ExitStatus {
        let reader = try makeReader()
        let redactor = try services.makeRedactor(options.runbooksDirectory)
        let loader = try services.loadRunbooks(options.runbooksDirectory)
        registerKnownSecrets(with: redactor, loader: loader)
        let store = try services.openStore(options.databasePath, redactor)
        // A drill continues as it was set up: its clock, its simulated cluster, its remaining injects.
        var launcher = self
        let target = try incidentID ?? store.incidents(openOnly: true, drillsOnly: false).first?.id
        if let attachment, let target { try checkAttachable(target, attachment: attachment, store: store) }
        // Nothing recorded in a changed transcript is acted on (a drill's state directory, a step's position).
        let forced = try target.flatMap { try checkChain(store: store, incidentID: $0) }
        let setup = try target.flatMap { try DrillSetup.recorded(incidentID: $0, in: store) }
        var simulation: DrillSimulation?
        if let setup {
            launcher.options.clock = setup.clock
            if let scenario = setup.simulation {
                let resumed = try DrillSimulation(
                    resuming: scenario, stateDirectory: setup.simulationState,
                    runbooksDirectory: options.runbooksDirectory)
                launcher.options.apply(resumed, isolated: setup.isIsolated)
                simulation = resumed
            }
        }
        let keeper = try launcher.takeDriverLease(store: store, incidentID: target, reader: reader)
        let session: IncidentSession
        do {
            session = try IncidentSession.resume(
                incidentID: target ?? incidentID,
                dependencies: try launcher.makeDependencies(store: store, loader: loader, reader: reader),
                recorded: forced.map { ["forced_past_broken_chain": $0] } ?? [:], attachment: attachment,
                askEnvironment: { runbook in
                    try options.environment ?? askEnvironment(for: runbook, reader: reader)
                })
            if attachment != nil, let severity = options.severity {
                try session.changeSeverity(to: severity, reason: "runbook start --severity")
            }
        } catch {
            // Refused (a started incident, no runbook, an environment the runbook does not allow): the lease goes.
            keeper?.release()
            throw error
        }
        session.driverLease = keeper
        let renderer = SessionRenderer.forREPL(interactive: reader.isInteractive)
        let verb = attachment == nil ? "resumed incident" : "started on incident"
        var header =
            "\(verb) #\(session.incidentID): \(ControlCharacters.oneLine(session.incident.title)) · \(session.severity.rawValue)"
            + " · \(ControlCharacters.oneLine(session.environment)) · \(SessionRenderer.clock(session.elapsed())) since declared"
            + (session.incident.isDrill && setup == nil ? " · DRILL" : "")
        if !session.secretsToAskAgain.isEmpty {
            header +=
                "\nsecret values are never stored; you will be asked again for "
                + session.secretsToAskAgain.joined(separator: ", ")
        }
        write(renderer.wrapped(renderer.paint(header, .bold)) + "\n")
        write(try recap(of: session, renderer: renderer) + "\n")
        // The launcher's options: a resumed simulated drill looks on the simulator's PATH.
        launcher.preflight(session, renderer: renderer)
        guard let setup else { return try runREPL(session: session, reader: reader, renderer: renderer) }
        return try launcher.resumeDrill(
            session, setup: setup, simulation: simulation, reader: reader, renderer: renderer)
    }

    /// Refuses `start --incident` options that would change what the incident already is, before anything is
    /// recorded: its title (`--title`, exit 2), its environment (an `--env` other than the incident's, exit 2).
    /// An unknown or closed incident is refused by `IncidentSession.resume` (exit 5).
    func checkAttachable(_ incidentID: Int64, attachment: IncidentAttachment, store: any TranscriptStore) throws {
        guard let incident = try store.incident(incidentID) else { return }
        if options.title != nil {
            throw CLIError.conflictsWithIncident(
                option: "--title", incidentID: incidentID,
                reason: "incident #\(incidentID) already has its title (\(ControlCharacters.oneLine(incident.title)))",
                hint: "leave --title out; `note TEXT` in the session records what you learn")
        }
        if let environment = options.environment, !incident.environment.isEmpty,
            !EnvironmentName.list([incident.environment], contains: environment)
        {
            throw CLIError.conflictsWithIncident(
                option: "--env", incidentID: incidentID,
                reason: "incident #\(incidentID) is in \(incident.environment), not \(environment)",
                hint: "leave --env out, or declare a new incident with `runbook start` without --incident")
        }
    }

    func runREPL(session: IncidentSession, reader: any LineReading, renderer: SessionRenderer) throws -> ExitStatus {
        defer { session.driverLease?.release() }
        let repl = IncidentREPL(
            session: session, reader: reader, renderer: renderer, write: write, commandOutput: DiscardingOutputSink())
        repl.stepTarget = stepTargetReader(environment: session.environment, simulation: nil).target(of:)
        watchEscalator(session, repl: repl)
        sayWhoIsNotified(session)
        // However the session ends (quit, handoff, end of input, a signal), no background step outlives it
        // unrecorded; this runs before the lease is released.
        defer {
            for job in session.stopBackgroundJobs() {
                write(
                    "stopped background step \(SessionRenderer.backgroundName(job)): "
                        + "\(SessionRenderer.backgroundResult(job.result))\n")
            }
        }
        let ending = options.dryRun ? try repl.runDryRun() : try repl.run()
        return ending.exitStatus
    }

    /// The recap `resume` opens with, read from the incident's events.
    func recap(of session: IncidentSession, renderer: SessionRenderer) throws -> String {
        let current = session.currentItem.map { item in
            let number = (session.runbook.items.firstIndex(of: item) ?? 0) + 1
            return "\(item.title) (\(session.runbook.id) \(number)/\(session.runbook.items.count), \(item.id))"
        }
        return renderer.recap(
            try session.recap(), severity: session.severity, declaredAt: session.incident.declaredAt,
            now: session.dependencies.clock.now(), resumedBy: ResponderIdentity.current().user,
            currentStep: current, firstSession: session.isFirstSession)
    }

    func makeDependencies(
        store: any TranscriptStore, loader: any RunbookLoading, reader: any LineReading
    ) throws -> SessionDependencies {
        let identity = ResponderIdentity.current()
        let detector = try services.destructiveDetector(options.runbooksDirectory)
        var dependencies = SessionDependencies(
            store: store, runner: services.makeRunner(isatty(STDIN_FILENO) == 1 && options.answersPath == nil),
            clock: options.clock, loader: loader, actor: identity.actor,
            baseEnvironment: options.baseEnvironment(), workingDirectory: options.workingDirectory,
            looksDestructive: { !detector.matches($0).isEmpty },
            escalation: options.dryRun ? nil : makeScheduler(store: store, clock: options.clock))
        dependencies.outputLimit = options.outputLimit
        dependencies.isolation = options.isolation
        dependencies.backgroundRunner = PipeCommandRunner(screen: nil)
        dependencies.productionEnvironments = try ProductionEnvironments.load(
            runbooksDirectory: options.runbooksDirectory)
        // Signing is optional: an unusable key never stops an incident, it is reported and nothing is signed.
        do {
            dependencies.signingKey = try SigningKey.load(path: SigningKey.defaultPath())
        } catch let error as SigningKeyError {
            write("warning: \(error.summary); this session will not sign the chain head\n")
        }
        return dependencies
    }

    /// Verifies the incident's hash chain before it is resumed: a broken one is refused (exit 1, as `verify`)
    /// unless `--force`; then the break is returned, to be recorded in `session.resumed`.
    func checkChain(store: any TranscriptStore, incidentID: Int64) throws -> JSONValue? {
        guard let verifier = store as? any TeamStore, try store.incident(incidentID) != nil else { return nil }
        let result = try verifier.verify(incidentID: incidentID)
        guard let sequence = result.firstBrokenSequence else { return nil }
        let reason = result.reason ?? "broken link"
        guard options.force else {
            throw SessionError.brokenChain(id: incidentID, sequence: sequence, reason: reason)
        }
        write(
            "warning: incident #\(incidentID)'s hash chain is broken at event #\(sequence) (\(reason)); resumed with --force\n"
        )
        return ["sequence": .int(sequence), "reason": .string(reason)]
    }

    /// Takes the driver lease of the incident to resume before anything is recorded in it. A live holder refuses it
    /// (exit 5) unless `--take-over` is confirmed by typing `take over`, which records `session.taken_over`; a dead
    /// holder gives it up at once. `nil` when there is no such incident (the resume then says so) or the store keeps
    /// no leases.
    func takeDriverLease(
        store: any TranscriptStore, incidentID: Int64?, reader: any LineReading
    ) throws -> DriverLeaseKeeper? {
        guard let incidentID, let leases = store as? any DriverLeaseStore,
            let incident = try store.incident(incidentID), incident.status == .open || incident.status == .mitigated
        else { return nil }
        let identity = ResponderIdentity.current()
        let takeOver: ((DriverLease) throws -> Bool)? =
            options.takeOver ? { holder in try self.confirmTakeOver(from: holder, reader: reader) } : nil
        let (keeper, previous) = try DriverLeaseKeeper.acquire(
            store: leases, incidentID: incidentID, identity: identity, takeOver: takeOver)
        if let previous {
            _ = try store.append(
                EventDraft(
                    .sessionTakenOver,
                    payload: [
                        "from": .string(previous.holder), "pid": .int(Int64(previous.pid)),
                        "host": .string(previous.host),
                        "since_ms": .int(Int64((previous.since.timeIntervalSince1970 * 1000).rounded())),
                    ]),
                to: incidentID, actor: identity.actor, at: options.clock.now())
        }
        return keeper
    }

    /// Asks the responder to type `take over` before taking a live holder's lease.
    func confirmTakeOver(from holder: DriverLease, reader: any LineReading) throws -> Bool {
        write("incident #\(holder.incidentID) is driven by \(holder.description)\n")
        write("taking it over stops that session at its next action\n")
        switch reader.readLine(prompt: "Type 'take over' to drive it from here: ", prefill: nil, tick: nil) {
        case .line(let line): return line.trimmingCharacters(in: .whitespaces) == "take over"
        case .endOfInput, .interrupted: return false
        }
    }

    /// The answers come from `--answers FILE`, else from stdin: plainly when it is not a terminal.
    func makeReader() throws -> any LineReading {
        if let path = options.answersPath { return try PlainLineReader(answersFile: path) }
        return makeTerminalReader() ?? PlainLineReader()
    }

    /// Asks for the environment when `--env` was not given, offering the runbook's environments.
    func askEnvironment(for runbook: Runbook, reader: any LineReading) throws -> String {
        let allowed = runbook.environments
        // In scripted mode the first answer is meant for a step; only a runbook with one environment is asked.
        if !reader.isInteractive, allowed.count != 1 {
            throw CLIError.environmentRequired(runbook: runbook.id, allowed: allowed)
        }
        let question = allowed.isEmpty ? "Environment: " : "Environment [\(allowed.joined(separator: "/"))]: "
        while true {
            switch reader.readLine(prompt: question, prefill: nil, tick: nil) {
            case .endOfInput:
                throw CLIError.inputEnded(while: "asking for the environment")
            case .interrupted:
                continue
            case .line(let line):
                let value = line.trimmingCharacters(in: .whitespaces)
                if value.isEmpty { continue }
                if allowed.isEmpty || EnvironmentName.list(allowed, contains: value) { return value }
                write("runbook \(runbook.id) runs in \(allowed.joined(separator: ", ")) only\n")
                if !reader.isInteractive {
                    throw SessionError.environmentNotAllowed(value, allowed: allowed, runbook: runbook.id)
                }
            }
        }
    }

    func write(_ text: String) { FileHandle.standardOutput.write(Data(text.utf8)) }

    /// Writes a line of prose, wrapped at word boundaries to the terminal's width when stdout is a terminal.
    func writeProse(_ text: String) {
        write(
            TextWrapping.wrap(text, width: TerminalSize.of(fileDescriptor: 1)?.columns).joined(separator: "\n") + "\n")
    }
}

/// Drops command output: the runners print it to the screen themselves.
final class DiscardingOutputSink: OutputSink {
    func receive(_ bytes: Data, offset: TimeInterval) {}
}
