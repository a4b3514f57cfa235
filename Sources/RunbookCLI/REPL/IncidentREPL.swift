import Foundation
import RunbookKit

/// The REPL: an adapter that reads the responder's answers and drives an `IncidentSession`.
///
/// One loop serves the terminal (libedit) and scripted mode (`PlainLineReader`). All decisions live in the
/// session; this type only parses answers, asks for what the session needs (variables, typed confirmations)
/// and prints what happened. Nothing runs without an explicit answer.
public final class IncidentREPL {
    /// How the REPL ended; the command turns it into an exit status.
    public enum Ending: Equatable, Sendable {
        /// `resolve`: the incident is closed.
        case resolved
        /// `quit`, `handoff`, Ctrl-D, or scripted input that ended between steps: the incident stays open.
        case suspended
        /// Scripted input ended in the middle of a step (exit status 3).
        case inputEnded
        /// `--dry-run` showed every item.
        case dryRunFinished
        /// `abandon` in a drill: the drill is closed without a resolution.
        case abandoned
        /// SIGHUP or SIGTERM arrived while a command ran: the command got it too, its result was recorded, and
        /// the incident was suspended.
        case signalled(Int32)

        /// The process exit status for this ending.
        public var exitStatus: ExitStatus {
            switch self {
            case .inputEnded: return .inputEnded
            case .signalled(let signal): return signal == SIGHUP ? .hungUp : .terminated
            default: return .success
            }
        }
    }

    /// What the responder is being asked.
    enum Mode: Equatable {
        /// Nothing is pending (the runbook is finished, or after a move).
        case idle
        /// The current item was shown and waits for an answer.
        case item
        /// The current step ended unexpectedly: on-fail, retry, continue or skip.
        case failure
        /// A `sh COMMAND` waits for approval.
        case adHoc
    }

    /// Thrown inside the loop when scripted input ends while an answer is required.
    struct InputEnded: Error {}

    let session: IncidentSession
    let reader: any LineReading
    let renderer: SessionRenderer
    let write: (String) -> Void
    let commandOutput: any OutputSink
    var mode: Mode = .idle
    /// The ad-hoc command waiting for approval, as shown.
    var adHocView: StepView?
    /// Banners that are due (a drill's injects): asked on every prompt tick at a terminal and before every
    /// answer in scripted mode. The provider records them before returning them.
    public var dueBanners: (() -> [String])?
    /// A warning when the escalator this incident waits for is not running (`nil` when all is well); asked with
    /// the banners. The launcher watches the store's escalator lease.
    public var escalatorWarning: (() -> String?)?
    /// What the prompt of a drill starts with: `DRILL SIMULATED`, or `DRILL REAL …` naming the real target.
    public var drillTag = "DRILL"
    /// Where a shown step's command will run (the environment, and the kube context of a Kubernetes step), for
    /// the line under its heading; `nil` shows none. The launcher reads the context once per session.
    public var stepTarget: ((StepView) -> StepTarget?)?
    /// The earlier run of the shown step's exact command, if it ran in this incident: `s` then records that the
    /// check was skipped knowingly.
    var repeatedRun: IncidentRecap.CommandOutcome?

    /// Creates a REPL over `session`. `write` prints text; `commandOutput` receives commands' output as it arrives.
    public init(
        session: IncidentSession, reader: any LineReading, renderer: SessionRenderer,
        write: @escaping (String) -> Void, commandOutput: any OutputSink
    ) {
        self.session = session
        self.reader = reader
        self.renderer = renderer
        self.write = write
        self.commandOutput = commandOutput
        reader.completer = { [weak self] line, word in self?.completions(line: line, word: word) ?? [] }
    }

    func say(_ text: String) { write(text + "\n") }

    var prompt: String {
        let prompt = renderer.prompt(
            incidentID: session.incidentID, severity: session.severity, environment: session.environment,
            elapsed: session.elapsed(), countdown: session.escalationTimeRemaining(),
            escalationExhausted: session.escalationIsExhausted(),
            production: session.dependencies.productionEnvironments)
        return session.incident.isDrill ? renderer.paint(drillTag, .yellow) + " " + prompt : prompt
    }

    /// Prints the banners that are due, in scripted mode (a terminal shows them through the prompt tick).
    func showDueBanners() {
        for banner in alerts() { say(banner) }
    }

    /// What is due now: the drill's injects, then what the escalator (or another terminal) recorded for this
    /// incident since the last look, then a warning when no escalator runs.
    func alerts() -> [String] {
        var banners = dueBanners?() ?? []
        do {
            for event in try session.escalationUpdates() {
                if let line = escalationBanner(event) { banners.append(line) }
            }
        } catch {
            banners.append(renderer.paint("warning: escalations could not be read: \(error)", .red))
        }
        for job in session.finishedBackgroundJobs() { banners.append(renderer.backgroundEnded(job)) }
        if let warning = escalatorWarning?() { banners.append(renderer.paint(warning, .red, .bold)) }
        if session.driverLease?.isLost == true {
            banners.append(
                renderer.paint(
                    "incident #\(session.incidentID) was taken over by another process; this terminal no longer drives it",
                    .red, .bold))
        }
        return banners.map { renderer.wrapped($0) }
    }

    /// The painted banner of an escalation or delivery event.
    func escalationBanner(_ event: RecordedEvent) -> String? {
        guard
            let line = EscalationBanner.text(
                for: event, incidentID: session.incidentID, isDrill: session.incident.isDrill)
        else { return nil }
        let loud = event.type == .escalationTriggered || event.type == .notificationFailed
        return loud ? renderer.paint(line, .red, .bold) : renderer.paint(line, .yellow)
    }

    /// At a terminal, what a prompt shows while it waits: banners as they come, and (at the step prompt) the
    /// moving clock. Every prompt gets it (step, variable, confirmation, choice), so a page is never held back.
    func ticker(updatingPrompt: Bool) -> (() -> PromptUpdate)? {
        guard reader.isInteractive else { return nil }
        return { [unowned self] in
            let banners = self.alerts()
            return PromptUpdate(
                banners: banners, prompt: updatingPrompt ? self.prompt : nil, bell: !banners.isEmpty)
        }
    }

    // MARK: - The loop

    /// Runs until the incident is resolved, the responder quits, or the input ends.
    public func run() throws -> Ending {
        showDueBanners()
        do {
            try presentCurrent()
        } catch is InputEnded {
            return try endOfInput()
        } catch let superseded as Unwind {
            if let ending = superseded.ending { return ending }
        }
        while true {
            // At a terminal the prompt's clock keeps moving while the responder thinks.
            if !reader.isInteractive { showDueBanners() }
            switch reader.readLine(prompt: prompt, prefill: nil, tick: ticker(updatingPrompt: true)) {
            case .endOfInput:
                return try endOfInput()
            case .interrupted:
                continue
            case .line(let line):
                rememberCommandLine(line)
                do {
                    if let ending = try handle(line) { return ending }
                } catch is InputEnded {
                    return try endOfInput()
                } catch let superseded as Unwind {
                    if let ending = superseded.ending { return ending }
                } catch let error as any UserFacingError {
                    if Self.endsSession(error) { throw error }
                    say(renderer.paint("error: \(error.summary)", .red) + (error.hint.map { "\n  hint: \($0)" } ?? ""))
                }
            }
        }
    }

    /// Shows every item of the current runbook, recording each as shown, and runs nothing (`--dry-run`).
    public func runDryRun() throws -> Ending {
        var count = 0
        while let view = try session.showCurrent(dryRun: true) {
            say(renderer.render(view))
            count += 1
        }
        try session.abandon(reason: "dry run")
        say("\ndry run: \(count) items shown and recorded in incident #\(session.incidentID); nothing ran")
        return .dryRunFinished
    }

    /// Ctrl-D suspends like `quit`; scripted input that ends while an answer is pending is an error (status 3).
    func endOfInput() throws -> Ending {
        let midStep = mode != .idle && !reader.isInteractive
        try session.suspend(reason: midStep ? "input ended mid-step" : "end of input")
        say("")
        if midStep {
            say("input ended in the middle of a step; incident #\(session.incidentID) stays open")
            say("continue with: runbook resume \(session.incidentID)")
            return .inputEnded
        }
        say("suspended; continue with: runbook resume \(session.incidentID)")
        return .suspended
    }

    /// Keeps a line typed at the REPL prompt in the line-editor history, unless the redactor would change it (it
    /// holds a secret or a token, also one registered earlier in this session) or it assigns a secret variable
    /// (`set TOKEN=…`, refused, but typed all the same). Answers to the other prompts (variables, confirmations,
    /// edits) never go there.
    func rememberCommandLine(_ line: String) {
        guard (session.dependencies.redactor?.redact(line) ?? line) == line else { return }
        let (word, rest) = Self.split(line)
        if REPLCommand.named(word)?.action == .set, let equals = rest.firstIndex(of: "="),
            session.isSecret(rest[..<equals].trimmingCharacters(in: .whitespaces))
        {
            return
        }
        reader.addToHistory(line)
    }

    /// Drops from the history the lines typed before a secret was registered that hold it now.
    func forgetHistoryHoldingSecrets() {
        guard let redactor = session.dependencies.redactor else { return }
        reader.forgetHistory { redactor.redact($0) != $0 }
    }

    /// Shows the current item, then asks for the variables it needs, or says the runbook is finished.
    func presentCurrent() throws {
        guard let item = session.currentItem else {
            mode = .idle
            let runbook = session.runbook
            if session.canReturn {
                let parent = session.frames[session.frames.count - 2].runbook
                say("\nend of \(runbook.id). `next` goes back to \(parent.id); `resolve SUMMARY` closes the incident")
            } else {
                say("\nend of \(runbook.id). `resolve SUMMARY` closes the incident; `open RUNBOOK` continues elsewhere")
            }
            return
        }
        // The step's header, command and risk come first: a question is never asked for a step not yet seen.
        if let view = try session.showCurrent() { show(view) }
        mode = .item
        if let startedAt = session.currentCommandStartedWithoutResult {
            say(
                renderer.paint(
                    renderer.style.mark(.warning)
                        + " started at \(UTCTimestamp.text(startedAt)), result unknown: runbook stopped while it ran. "
                        + "`rerun` runs it again, `s` skips it", .yellow, .bold))
        }
        if case .step = item, !session.missingVariablesForCurrentStep.isEmpty {
            try askForMissingVariables()
            if let frame = session.frames.last, let current = frame.item {
                let view = session.view(of: current, in: frame)
                // The namespace a Kubernetes step names may be one of the values just given.
                let target = stepTarget?(view).map { renderer.targetLine($0) }
                for line in [target, renderer.variablesLine(of: view), renderer.confirmationLine(of: view)] {
                    if let line { say(line) }
                }
                say(renderer.answers(for: view))
            }
        }
    }

    /// Shows a step (with where it will run) and, when its exact command already ran in this incident, when and
    /// what it returned.
    func show(_ view: StepView) {
        say(renderer.render(view, target: view.command == nil ? nil : stepTarget?(view)))
        repeatedRun = nil
        guard view.kind == .step, let command = view.command,
            let run = try? session.previousRun(of: command)
        else { return }
        repeatedRun = run
        say(renderer.previousRunLine(run, now: session.dependencies.clock.now()))
    }

    /// Asks for every declared variable the current step uses and that has no value (secrets without echo).
    func askForMissingVariables() throws {
        for spec in session.missingVariablesForCurrentStep {
            try askForVariable(spec)
        }
    }

    func askForVariable(_ spec: VariableSpec) throws {
        let offered = try session.offeredDefault(for: spec)
        let suggestion = offered?.value
        var question = spec.prompt ?? spec.name
        if let prompt = spec.prompt, !prompt.hasPrefix(spec.name + " ") { question += " (\(spec.name))" }
        if !spec.choices.isEmpty { question += " [\(spec.choices.joined(separator: "/"))]" }
        if let offered, !spec.secret {
            // Where a default came from is said: an alert's label is not the runbook author's choice.
            question +=
                offered.alertLabel.map { " [default from alert label \($0): \(offered.value)]" }
                ?? " (default: \(offered.value))"
        }
        question += ": "
        // Tab completes values here, never command words (`bac` must not become `back`).
        let (stepCompleter, stepAppendsSpace) = (reader.completer, reader.completionAppendsSpace)
        reader.completer = { [weak self] _, word in
            self?.valueCompletions(for: spec, suggestion: suggestion, word: word) ?? []
        }
        reader.completionAppendsSpace = false
        defer { (reader.completer, reader.completionAppendsSpace) = (stepCompleter, stepAppendsSpace) }
        while true {
            let input =
                spec.secret
                ? reader.readSecret(prompt: question)
                : reader.readLine(prompt: question, prefill: nil, tick: ticker(updatingPrompt: false))
            switch input {
            case .endOfInput:
                mode = .item
                throw InputEnded()
            case .interrupted:
                continue
            case .line(let line):
                if let command = Self.commandAtVariablePrompt(line) {
                    try handleAtVariablePrompt(command)
                    continue
                }
                let literal = line.hasPrefix("=") ? String(line.dropFirst()) : line
                let value = line.isEmpty ? (suggestion ?? "") : literal
                do {
                    try session.setVariable(spec.name, to: value, source: "prompt")
                    if session.isSecret(spec.name) { forgetHistoryHoldingSecrets() }
                    return
                } catch let error as SessionError {
                    if Self.endsSession(error) { throw error }
                    say(renderer.paint("error: \(error.summary)", .red))
                }
            }
        }
    }

    /// Errors after which the REPL must not offer another answer: the database cannot record (a full disk: what
    /// ran is no longer recorded, so nothing more may run; exit 4), or another process took the incident over or
    /// closed it (exit 5). They end `run()` and reach the command's error output.
    static func endsSession(_ error: any UserFacingError) -> Bool {
        (error as? SessionError)?.endsDriving == true || error.exitStatus == .database
            || (error as? CLIError).map { if case .summaryRequired = $0 { true } else { false } } == true
    }

    /// Unwinds to the loop: thrown out of a variable prompt when a command typed there moved elsewhere (`skip`,
    /// `back`, `goto`, `quit`, `resolve`, …), since what follows was already shown; and with an ending when the
    /// REPL must stop (a hang-up while a command ran).
    struct Unwind: Error {
        var ending: Ending?
    }

    /// The line as a REPL command when its first word is a command at a variable prompt (`atVariablePrompt` in
    /// `REPLCommand.all`). The answers that only make sense once the step is shown (`y`, `e`, …) are values.
    static func commandAtVariablePrompt(_ line: String) -> String? {
        let (word, _) = split(line)
        return REPLCommand.named(word)?.atVariablePrompt == true ? line : nil
    }

    /// Runs a command typed at a variable prompt as if it were typed at the step. When it moved elsewhere or ended
    /// the REPL, the prompt is abandoned (`Unwind`); otherwise (a note, an ack, `vars`) the same variable
    /// is asked again. An error is shown and the variable asked again.
    func handleAtVariablePrompt(_ line: String) throws {
        let position = session.frames.map { "\($0.runbook.id)@\($0.index)" }
        let before = mode
        mode = .item
        do {
            let ending = try handle(line)
            if ending != nil || session.frames.map({ "\($0.runbook.id)@\($0.index)" }) != position
                || session.isResolved
            {
                throw Unwind(ending: ending)
            }
        } catch let error as any UserFacingError {
            if Self.endsSession(error) { throw error }
            say(renderer.paint("error: \(error.summary)", .red) + (error.hint.map { "\n  hint: \($0)" } ?? ""))
        }
        mode = before
    }

    // MARK: - Answers and commands

    /// Handles one line; returns an ending when the REPL should stop.
    func handle(_ rawLine: String) throws -> Ending? {
        let line = rawLine.trimmingCharacters(in: .whitespaces)
        let (word, rest) = Self.split(line)
        if line.isEmpty {
            // An empty line never runs anything: it only shows the choices again.
            showChoices()
            return nil
        }
        let command = REPLCommand.named(word)
        if let handled = try handleAnswer(command?.action, word: word.lowercased(), rest: rest) {
            return handled.ending
        }
        guard let command, command.group == .anyTime else { throw unknown(word: word.lowercased(), line: line) }
        return try handleCommand(command.action, word: word.lowercased(), rest: rest, line: line)
    }

    /// Wraps "handled, keep going" and "handled, stop" for answers.
    struct Handled {
        var ending: Ending?
    }

    func showChoices() {
        switch mode {
        case .idle:
            say(
                renderer.paint(
                    "commands: next · steps · sh COMMAND · note TEXT · sev P0-P3 · resolve [SUMMARY] · help · quit",
                    .dim))
        case .failure:
            say(renderer.failureChoices(onFail: failureTarget))
        case .item, .adHoc:
            if let view = currentView { say(renderer.answers(for: view)) }
        }
    }

    var currentView: StepView? {
        if mode == .adHoc, let adHocView { return adHocView }
        guard let frame = session.frames.last, let item = frame.item else { return nil }
        return session.view(of: item, in: frame)
    }

    var failureTarget: String? {
        guard case .step(let step)? = session.currentItem else { return nil }
        return step.attributes.onFail
    }

    /// Answers that only mean something while an item, a failure or an ad-hoc command is pending.
    func handleAnswer(_ action: REPLCommand.Action?, word: String, rest: String) throws -> Handled? {
        switch mode {
        case .idle:
            return nil
        case .adHoc:
            switch action {
            case .yes?, .run?:
                try runAdHoc()
            case .edit?:
                let command = session.adHocCommand ?? ""
                let edited = try readRequired(prompt: "edit " + renderer.style.mark(.pointer) + " ", prefill: command)
                session.cancelAdHoc()
                adHocView = try session.showAdHoc(edited)
                say(renderer.render(adHocView!))
            default:
                session.cancelAdHoc()
                adHocView = nil
                mode = session.isAwaitingAnswer ? .item : .idle
                say("cancelled; nothing ran")
                // `n` is `note` elsewhere; here it answers the question like `no`.
                if action != .no && word != "n" { return nil }
            }
            return Handled()
        case .failure:
            switch action {
            case .onFail?:
                try session.followFailureTarget()
                try presentCurrent()
            case .retry?, .yes?, .run?:
                try runCurrentStep()
            case .carryOn?:
                try session.continueAfterFailure()
                try presentCurrent()
            case .skip?:
                try session.skip(reason: rest.isEmpty ? nil : rest)
                try presentCurrent()
            case .edit?:
                try editCurrentStep()
            default:
                return nil
            }
            return Handled()
        case .item:
            guard let item = session.currentItem else { return nil }
            switch (item, action) {
            case (.step, .yes?), (.step, .run?):
                try runCurrentStep()
            case (.step, .rerun?):
                try runCurrentStep(rerunUnknown: true)
            case (.step, .edit?):
                try editCurrentStep()
            case (.manual, .done?), (.manual, .yes?):
                let acknowledged = try session.completeManual()
                say(renderer.paint(renderer.style.mark(.done) + " done", .green))
                if acknowledged {
                    say("acknowledged by \(session.acknowledgements.last ?? ""): the escalation clock stopped")
                }
                try presentCurrent()
            case (.choice, _) where Int(word) != nil:
                try session.choose(option: Int(word)!)
                say("→ \(session.runbook.title ?? session.runbook.id)")
                try presentCurrent()
            case (_, .skip?):
                // A check that already ran is skipped knowingly: the reason says when and what it returned.
                let reason =
                    rest.isEmpty
                    ? repeatedRun.map { SessionRenderer.alreadyRanReason($0, now: session.dependencies.clock.now()) }
                    : rest
                try session.skip(reason: reason)
                say(
                    renderer.paint(
                        renderer.style.mark(.skipped) + " skipped" + (reason.map { ": \($0)" } ?? ""), .yellow))
                try presentCurrent()
            case (_, .back?):
                try session.back()
                try presentCurrent()
            default:
                return nil
            }
            return Handled()
        }
    }

    /// REPL commands, accepted at any prompt.
    func handleCommand(_ action: REPLCommand.Action, word: String, rest: String, line: String) throws -> Ending? {
        switch action {
        case .note:
            try session.note(rest)
            say(renderer.paint("noted", .dim))
        case .help:
            say(renderer.wrapped(REPLCommand.help, continuation: "      "))
            showChoices()
        case .quit:
            try session.suspend(reason: "quit")
            say(
                "suspended; incident #\(session.incidentID) stays open. Continue with: runbook resume \(session.incidentID)"
            )
            return .suspended
        case .next:
            if session.currentItem == nil, session.canReturn { try session.returnToParent() }
            try presentCurrent()
        case .run:
            guard case .step? = session.currentItem else { throw SessionError.noCurrentItem }
            try runCurrentStep()
        case .steps:
            if let frame = session.frames.last {
                say(
                    renderer.steps(
                        of: frame, status: { self.session.status(ofItem: $0) },
                        applies: { item in
                            guard case .step(let step) = item else { return true }
                            return !step.attributes.ignore
                                && (step.attributes.environments.isEmpty
                                    || EnvironmentName.list(
                                        step.attributes.environments, contains: self.session.environment))
                        }))
            }
        case .goto:
            guard !rest.isEmpty else { throw SessionError.invalidArgument("goto needs a step id: goto STEP") }
            try session.goto(rest)
            try presentCurrent()
        case .open:
            guard !rest.isEmpty else { throw SessionError.invalidArgument("open needs a runbook: open RUNBOOK") }
            try session.open(runbookID: rest)
            try presentCurrent()
        case .sh:
            guard !rest.isEmpty else { throw SessionError.invalidArgument("sh needs a command: sh COMMAND") }
            let view = try session.showAdHoc(rest)
            adHocView = view
            say(renderer.render(view, target: stepTarget?(view)))
            mode = .adHoc
        case .vars:
            say(renderer.variables(session.variables))
        case .jobs:
            say(renderer.backgroundJobs(session.backgroundJobList, now: Date()))
        case .set:
            try setVariable(rest)
        case .severity:
            let (level, reason) = Self.split(rest)
            guard let severity = Severity(parsing: level) else {
                throw SessionError.invalidArgument("severity must be P0, P1, P2 or P3: sev P1 [reason]")
            }
            let before = session.severity
            let recorded = try session.changeSeverity(to: severity, reason: reason.isEmpty ? nil : reason)
            say(
                before == severity
                    ? "severity is already \(severity.rawValue)" : "severity \(before.rawValue) → \(severity.rawValue)")
            for event in recorded where event.type == .escalationTriggered {
                if let banner = escalationBanner(event) { say(banner) }
            }
        case .ack:
            try session.acknowledge(by: rest.isEmpty ? nil : rest)
            say("acknowledged by \(session.acknowledgements.last ?? "")")
        case .status:
            say(renderer.status(of: session, escalation: escalationSnapshot()))
        case .mitigated:
            try session.markMitigated()
            say("marked mitigated at \(SessionRenderer.clock(session.elapsed()))")
        case .resolve:
            guard let summary = try resolveSummary(rest) else { return nil }
            try session.resolve(summary: summary)
            say(
                renderer.paint(
                    "resolved incident #\(session.incidentID) after \(SessionRenderer.clock(session.elapsed()))",
                    .green, .bold))
            return .resolved
        case .abandon where session.incident.isDrill:
            try session.abandon(reason: rest.isEmpty ? "abandoned" : rest)
            say("drill #\(session.incidentID) abandoned after \(SessionRenderer.clock(session.elapsed()))")
            return .abandoned
        case .handoff:
            let (name, note) = Self.handoffArguments(rest)
            guard !name.isEmpty else { throw SessionError.invalidArgument("handoff needs a name: handoff NAME") }
            guard let note = try handoffNote(note) else { return nil }
            try session.handoff(to: name, note: note)
            try session.suspend(reason: "handoff to \(name)")
            say("handed off to \(name); they continue with: runbook resume \(session.incidentID)")
            return .suspended
        case .export:
            say(try export(format: rest.isEmpty ? "markdown" : rest.lowercased()))
        case .impactStart, .detected, .cause, .action:
            let fact = try session.recordFact { now, declaredAt in
                try FactArguments.fact(
                    REPLCommand.named(word)?.word ?? word, rest: rest, now: now, declaredAt: declaredAt)
            }
            say(renderer.paint(fact.confirmation, .dim))
        case .abandon, .yes, .edit, .rerun, .done, .skip, .back, .onFail, .retry, .carryOn, .no:
            throw unknown(word: word, line: line)
        }
        return nil
    }

    /// The error for a word that means nothing here.
    func unknown(word: String, line: String) -> SessionError {
        if mode == .item, case .choice(let choice)? = session.currentItem {
            return SessionError.invalidArgument(
                "unknown answer '\(line)'; choose 1-\(choice.options.count), or type ? for help")
        }
        return SessionError.invalidArgument("unknown command '\(word)'; type ? for help")
    }

    // MARK: - Running

    func runCurrentStep(rerunUnknown: Bool = false) throws {
        try askForMissingVariables()
        guard let frame = session.frames.last, let item = frame.item else { throw SessionError.noCurrentItem }
        let view = session.view(of: item, in: frame)
        let confirmation = try confirm(view)
        say("")
        let run = try session.run(confirmation: confirmation, rerunUnknown: rerunUnknown, output: commandOutput)
        try report(run)
    }

    func runAdHoc() throws {
        guard let view = adHocView else { return }
        let confirmation = try confirm(view)
        adHocView = nil
        say("")
        let run = try session.runAdHoc(confirmation: confirmation, output: commandOutput)
        say(renderer.render(run))
        if let exports = renderer.exports(of: run) { say(exports) }
        if run.exported.contains(where: \.isSecret) { forgetHistoryHoldingSecrets() }
        try stopIfSignalled(run.result)
        mode = session.isAwaitingAnswer ? .item : .idle
    }

    /// After a command during which `runbook` got SIGHUP (the terminal is gone) or SIGTERM (asked to stop): the
    /// command got the signal too and its result is recorded; the incident is suspended and the REPL ends.
    func stopIfSignalled(_ result: CommandResult?) throws {
        guard let signal = result?.receivedSignal, signal == SIGHUP || signal == SIGTERM else { return }
        let reason = signal == SIGHUP ? "terminal hung up (SIGHUP)" : "asked to stop (SIGTERM)"
        try session.suspend(reason: reason)
        say(
            "\n\(reason); incident #\(session.incidentID) stays open. Continue with: runbook resume \(session.incidentID)"
        )
        throw Unwind(ending: .signalled(signal))
    }

    /// Asks for the typed name of a destructive step in production; `nil` when none is needed.
    func confirm(_ view: StepView) throws -> String? {
        guard let target = view.confirmationTarget else { return nil }
        // A blank target is never asked for: the session refuses the step and names the empty variable.
        if target.allSatisfy(\.isWhitespace) { return nil }
        say(
            renderer.paint(
                renderer.style.mark(.warning)
                    + " destructive in production. Type '\(ControlCharacters.visible(target))' to run it; anything else cancels.",
                .red, .bold))
        return try readRequired(prompt: "confirm " + renderer.style.mark(.pointer) + " ", prefill: nil)
    }

    func report(_ run: StepRun) throws {
        say(renderer.render(run))
        if let exports = renderer.exports(of: run) { say(exports) }
        if run.exported.contains(where: \.isSecret) { forgetHistoryHoldingSecrets() }
        try stopIfSignalled(run.result)
        switch run.outcome {
        case .completed:
            if let captured = run.captured {
                let shown = captured.isSecret ? "••••••" : captured.value
                let change = captured.isSecret ? "set \(captured.name)" : "set \(captured.name)=VALUE"
                say("captured \(captured.name)=\(shown)  (change it with: \(change))")
                if captured.isSecret { forgetHistoryHoldingSecrets() }
            }
            try presentCurrent()
        case .startedInBackground:
            try presentCurrent()
        case .refused:
            mode = .item
            showChoices()
        case .unexpectedExit, .failedToStart:
            mode = .failure
            say(renderer.failureChoices(onFail: run.onFail))
        }
    }

    func editCurrentStep() throws {
        guard let command = session.currentCommand else { throw SessionError.noCurrentItem }
        let edited = try readRequired(prompt: "edit " + renderer.style.mark(.pointer) + " ", prefill: command)
        guard edited != command else {
            say("unchanged")
            return
        }
        try session.edit(command: edited)
        if let view = try session.showCurrent() { show(view) }
        mode = .item
    }

    func setVariable(_ text: String) throws {
        guard let equals = text.firstIndex(of: "=") else {
            let name = text.trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else {
                throw SessionError.invalidArgument("set needs NAME=VALUE (or NAME to be asked)")
            }
            try askForVariable(session.variableSpec(named: name) ?? VariableSpec(name: name))
            return
        }
        let name = text[..<equals].trimmingCharacters(in: .whitespaces)
        let value = String(text[text.index(after: equals)...])
        if session.isSecret(name) {
            // A secret typed on the command line would land in the line-editor history.
            throw SessionError.invalidArgument("\(name) is secret: type `set \(name)` and enter it without echo")
        }
        try session.setVariable(name, to: value)
        say("\(name)=\(value)")
    }

    /// Reads one answer that must come (an edit, a confirmation); the end of input ends the REPL.
    func readRequired(prompt: String, prefill: String?) throws -> String {
        while true {
            if !reader.isInteractive { showDueBanners() }
            switch reader.readLine(prompt: prompt, prefill: prefill, tick: ticker(updatingPrompt: false)) {
            case .endOfInput: throw InputEnded()
            case .interrupted: return ""
            case .line(let line): return line
            }
        }
    }

    /// Writes the incident so far as a postmortem, JSON or asciicast file under `transcripts/`; returns the path.
    func export(format: String) throws -> String {
        let exporter: any IncidentExporter
        switch format {
        case "markdown", "md": exporter = MarkdownPostmortemExporter()
        case "json": exporter = JSONExporter()
        case "asciicast", "cast": exporter = AsciicastExporter()
        case "html": exporter = HTMLReportExporter(replay: ReplayBundle.forThisProcess())
        default: throw SessionError.invalidArgument("export takes markdown, json, asciicast or html")
        }
        let path = try exporter.export(incidentID: session.incidentID, from: session.dependencies.store)
        return "exported to \(path)"
    }

    /// What the escalation scheduler holds for this incident, for `status`; `nil` without escalation.
    func escalationSnapshot() -> Result<SessionRenderer.EscalationSnapshot, any Error>? {
        guard let scheduler = session.dependencies.escalation else { return nil }
        do {
            guard let state = try scheduler.state(incidentID: session.incidentID) else { return nil }
            return .success(
                SessionRenderer.EscalationSnapshot(
                    state: state, timers: try scheduler.store.timers(incidentID: state.incidentID),
                    outbox: try scheduler.store.outbox(incidentID: state.incidentID), now: scheduler.clock.now()))
        } catch {
            return .failure(error)
        }
    }

    // MARK: - Completion

    /// Completion candidates at the step prompt (see `CompletionProvider.atStepPrompt`).
    public func completions(line: String, word: String) -> [String] {
        let context = CompletionProvider.StepPromptContext(
            stepIDs: session.runbook.items.map(\.id),
            runbookIDs: { [session] in session.dependencies.loader.runbookIDs() },
            variableNames: session.variables.map(\.name))
        return CompletionProvider.atStepPrompt(line: line, word: word, context: context)
    }

    /// Completion candidates at the prompt for `spec` (see `CompletionProvider.atValuePrompt`): its choices, its
    /// default, and words of the recorded (redacted) output of the incident's last commands.
    func valueCompletions(for spec: VariableSpec, suggestion: String?, word: String) -> [String] {
        CompletionProvider.atValuePrompt(
            word: word, choices: spec.choices, defaultValue: spec.secret ? nil : suggestion,
            recentOutputs: recentCommandOutputs())
    }

    /// The recorded output of the incident's last `CompletionProvider.recentCommandCount` commands, newest first,
    /// each cut to its last `CompletionProvider.outputByteLimit` bytes. What the store holds is already redacted.
    func recentCommandOutputs() -> [String] {
        let store = session.dependencies.store
        guard let events = try? store.events(incidentID: session.incidentID) else { return [] }
        let started = events.filter { $0.type == .commandStarted }.suffix(CompletionProvider.recentCommandCount)
        return started.reversed().compactMap { event in
            guard let chunks = try? store.output(incidentID: session.incidentID, commandSequence: event.sequence)
            else { return nil }
            var bytes = Data()
            for chunk in chunks { bytes.append(chunk.data) }
            return String(decoding: bytes.suffix(CompletionProvider.outputByteLimit), as: UTF8.self)
        }
    }

    static func split(_ text: String) -> (String, String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let space = trimmed.firstIndex(of: " ") else { return (trimmed, "") }
        return (String(trimmed[..<space]), trimmed[space...].trimmingCharacters(in: .whitespaces))
    }
}
