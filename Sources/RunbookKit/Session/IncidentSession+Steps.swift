import Foundation

extension IncidentSession {
    // MARK: - Showing

    /// When the current step's command was started, if it never finished: `runbook` stopped while it ran (kill -9,
    /// a crash, a lost write), so its result is unknown. `nil` for every other step.
    public var currentCommandStartedWithoutResult: Date? {
        state.currentKey.flatMap { state.unfinishedCommands[$0] }
    }

    /// The command of the current step as it will run: the responder's edit if any, else the runbook's text.
    public var currentCommand: String? {
        guard case .step(let step)? = currentItem else { return nil }
        return state.currentKey.flatMap { state.editedCommands[$0] } ?? step.command
    }

    /// Shows the current item: records `step.shown` with the command exactly as it will run and the names of
    /// the variables it uses (never secret values), and returns what the screen needs. `nil` at the end of the
    /// runbook. In a dry run the item is recorded as shown and the session moves past it; nothing runs.
    @discardableResult
    public func showCurrent(dryRun: Bool = false) throws -> StepView? {
        try ensureOpen()
        guard let frame = state.current, let item = frame.item else { return nil }
        let view = self.view(of: item, in: frame, dryRun: dryRun)
        var payload: [String: JSONValue] = [
            "runbook": .string(frame.runbook.id), "index": .int(Int64(frame.index)),
            "kind": .string(view.kind.rawValue),
            "title": .string(view.title),
        ]
        if let command = view.command {
            payload["command"] = .string(command)
            payload["variables"] = .array(view.variables.map { .string($0.name) })
            payload["risk"] = view.risk.map { .string($0.rawValue) } ?? .null
            if view.isEdited { payload["edited"] = true }
            if view.looksDestructive { payload["looks_destructive"] = true }
        }
        if let text = view.manualText { payload["text"] = .string(text) }
        if !view.options.isEmpty { payload["options"] = .array(view.options.map { .string($0.label) }) }
        if dryRun { payload["dry_run"] = true }
        try record(EventDraft(.stepShown, stepID: item.id, payload: .object(payload)))
        if dryRun { state.advance() }
        return view
    }

    /// What the screen shows for `item`, without recording anything (`steps` and previews use it).
    public func view(of item: RunbookItem, in frame: SessionFrame, dryRun: Bool = false) -> StepView {
        let key = SessionState.key(runbook: frame.runbook.id, item: item.id)
        let place = StepView.Place(
            runbookID: frame.runbook.id, runbookTitle: frame.runbook.title ?? frame.runbook.id,
            number: frame.runbook.stepNumber(of: item.id) ?? frame.index + 1, total: frame.runbook.stepCount,
            itemID: item.id, title: item.title, status: state.statuses[key], isDryRun: dryRun)
        switch item {
        case .step(let step):
            let command = state.editedCommands[key] ?? step.command
            return .step(
                step, at: place, command: command, variables: shownVariables(in: command),
                looksDestructive: dependencies.looksDestructive(command), timeout: timeout(for: step.attributes),
                confirmationTarget: confirmationTarget(for: command, risk: step.attributes.risk))
        case .manual(let manual):
            return .manual(manual, at: place)
        case .choice(let choice):
            return .choice(choice, at: place)
        }
    }

    /// The variables `command` uses, with their values (secrets only in memory) for the screen.
    private func shownVariables(in command: String) -> [StepView.Variable] {
        variableNames(in: command).map {
            StepView.Variable(
                name: $0, value: value(of: $0) ?? dependencies.baseEnvironment[$0], isSecret: isSecret($0))
        }
    }

    /// What the responder must type before `command` runs: in a production environment (`production`, `prod`,
    /// `prd`, `live` in any case, and those the runbooks directory adds), for a step declared destructive or one
    /// the detector flags, the `NAMESPACE` value when the command uses it, else the environment's name.
    public func confirmationTarget(for command: String, risk: Risk) -> String? {
        guard dependencies.productionEnvironments.contains(state.environment),
            risk == .destructive || dependencies.looksDestructive(command)
        else { return nil }
        if variableNames(in: command).contains("NAMESPACE"), let namespace = value(of: "NAMESPACE") {
            return namespace
        }
        return state.environment
    }

    func timeout(for attributes: StepAttributes) -> TimeInterval? {
        attributes.timeout ?? (attributes.interactive ? nil : dependencies.defaultTimeout)
    }

    // MARK: - Running

    /// Runs the current step (the responder answered `y`): records `step.approved`, `command.started`, the output,
    /// and `command.finished` with whether the exit code matched `expect`; a `capture=VAR` step then sets the
    /// variable from the trimmed output. A step that needs a typed confirmation runs only when `confirmation`
    /// matches it; otherwise the refusal is recorded (`step.refused`) and nothing runs.
    ///
    /// A step whose command was started and never finished (`runbook` was killed while it ran) runs again only with
    /// `rerunUnknown`: its result is unknown, so a plain approval must not repeat it.
    public func run(confirmation: String? = nil, rerunUnknown: Bool = false, output: any OutputSink) throws -> StepRun {
        try ensureOpen()
        guard let frame = state.current, let item = frame.item else { throw SessionError.noCurrentItem }
        guard case .step(let step) = item else {
            throw SessionError.wrongItemKind(expected: "step", actual: Self.kindName(item))
        }
        if let startedAt = currentCommandStartedWithoutResult, !rerunUnknown {
            throw SessionError.resultUnknown(step: step.id, startedAt: startedAt)
        }
        return try execute(
            command: currentCommand ?? step.command, stepID: step.id, runbook: frame.runbook,
            attributes: step.attributes, confirmation: confirmation, output: output)
    }

    /// Shows an ad-hoc command (`sh COMMAND`) for approval: records `step.shown` with kind `adhoc`.
    @discardableResult
    public func showAdHoc(_ command: String) throws -> StepView {
        try ensureOpen()
        try refuseHiddenCharacters(in: command)
        let frame = state.current ?? SessionFrame(runbook: runbook, index: 0)
        pendingAdHoc = command
        let risk: Risk = dependencies.looksDestructive(command) ? .destructive : .change
        let names = variableNames(in: command)
        try record(
            EventDraft(
                .stepShown,
                payload: [
                    "kind": "adhoc", "runbook": .string(frame.runbook.id), "command": .string(command),
                    "variables": .array(names.map { .string($0) }), "risk": .string(risk.rawValue),
                ]))
        return .adHoc(
            command, in: frame.runbook, variables: shownVariables(in: command), risk: risk,
            timeout: dependencies.defaultTimeout, confirmationTarget: confirmationTarget(for: command, risk: risk))
    }

    /// Runs the ad-hoc command shown by `showAdHoc(_:)`, recorded like a step (without moving the position).
    public func runAdHoc(confirmation: String? = nil, output: any OutputSink) throws -> StepRun {
        try ensureOpen()
        guard let command = pendingAdHoc else {
            throw SessionError.invalidArgument("no ad-hoc command is waiting; type `sh COMMAND`")
        }
        pendingAdHoc = nil
        let risk: Risk = dependencies.looksDestructive(command) ? .destructive : .change
        return try execute(
            command: command, stepID: nil, runbook: runbook, attributes: StepAttributes(risk: risk),
            confirmation: confirmation, output: output)
    }

    /// Drops a shown ad-hoc command without running it.
    public func cancelAdHoc() { pendingAdHoc = nil }

    private func execute(
        command: String, stepID: String?, runbook: Runbook, attributes: StepAttributes, confirmation: String?,
        output: any OutputSink
    ) throws -> StepRun {
        let missing = missingVariables(in: command)
        if !missing.isEmpty { throw SessionError.variablesMissing(missing.map(\.name)) }
        let base: [String: JSONValue] = ["runbook": .string(runbook.id), "command": .string(command)]
        if let target = confirmationTarget(for: command, risk: attributes.risk) {
            if target.allSatisfy(\.isWhitespace) {
                // Typing nothing must never confirm a destructive step: the value it is confirmed by is missing.
                var payload = base
                payload["reason"] = "confirmation target NAMESPACE is empty"
                try record(EventDraft(.stepRefused, stepID: stepID, payload: .object(payload)))
                throw SessionError.emptyConfirmationTarget(variable: "NAMESPACE")
            }
            guard confirmation?.trimmingCharacters(in: .whitespaces) == target else {
                var payload = base
                payload["reason"] = "typed confirmation did not match"
                payload["expected_target"] = .string(target)
                try record(EventDraft(.stepRefused, stepID: stepID, payload: .object(payload)))
                return StepRun(
                    outcome: .refused(expected: target), expect: attributes.expect, onFail: attributes.onFail)
            }
        }
        var approved = base
        if let target = confirmationTarget(for: command, risk: attributes.risk) {
            approved["confirmed_target"] = .string(target)
        }
        try record(EventDraft(.stepApproved, stepID: stepID, payload: .object(approved)))
        // A background step (Runme's `background`) starts detached when the session can run one; it has no
        // default timeout, as it is meant to keep running (a port-forward, a log tail).
        let background = attributes.background && dependencies.backgroundRunner != nil
        let timeout = background ? attributes.timeout : timeout(for: attributes)
        // Output captured into a secret variable is the secret: it is never stored (one placeholder chunk says
        // how much there was), and not shown either, unless the step is interactive and the responder must see it.
        let secretCapture = attributes.capture.flatMap { isSecret($0) ? $0 : nil }
        let hidesOutput = secretCapture != nil && !attributes.interactive
        var request = CommandRequest(
            command: command, shell: attributes.shell ?? runbook.shell, environment: childEnvironment(),
            workingDirectory: attributes.cwd ?? dependencies.workingDirectory, timeout: timeout,
            interactive: attributes.interactive && !background, isolation: dependencies.isolation)
        request.showsOutput = !hidesOutput
        request.collectsExports = true
        request.carriedNames = VariableReferences.standaloneAssignedNames(in: command).sorted()
        let recorder = CommandRecorder(
            record: { try self.record($0) }, store: dependencies.store, incidentID: incident.id,
            outputLimit: dependencies.outputLimit)
        if background {
            return try startInBackground(
                request, stepID: stepID, runbook: runbook, attributes: attributes, recorder: recorder)
        }
        var exports: (exported: [CapturedValue], ignored: [String])?
        var captured: CapturedValue?
        let outcome = try recorder.run(
            request, stepID: stepID, runner: dependencies.runner, screen: hidesOutput ? nil : output,
            common: ["runbook": .string(runbook.id)],
            started: [
                "variables": .array(variableNames(in: command).map { .string($0) }),
                "interactive": .bool(attributes.interactive),
            ], expect: attributes.expect, secretCapture: secretCapture
        ) { result, matched, output in
            // Exports count whatever the exit status (the shell's environment changed either way), and are
            // recorded before `command.finished`, like a captured value.
            exports = try result.environmentChanges.map { try recordExports($0, stepID: stepID) }
            if matched, let name = attributes.capture {
                let value = String(decoding: output.captured, as: UTF8.self)
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                // Recorded before `command.finished`, so a resumed session never has the step done without its value.
                try setVariable(name, to: value, source: "capture")
                captured = CapturedValue(name: name, value: value, isSecret: isSecret(name))
            }
        }
        let result: CommandResult
        switch outcome.result {
        case .success(let finished): result = finished
        case .failure(let error):
            let message = (error as? any UserFacingError)?.summary ?? String(describing: error)
            return StepRun(
                outcome: .failedToStart(message), expect: attributes.expect, onFail: attributes.onFail,
                commandSequence: outcome.started.sequence)
        }
        var run = StepRun(
            outcome: outcome.matched ? .completed : .unexpectedExit, result: result, expect: attributes.expect,
            captured: captured, onFail: attributes.onFail, commandSequence: outcome.started.sequence)
        run.exported = exports?.exported ?? []
        run.ignoredExports = exports?.ignored ?? []
        return run
    }

    // MARK: - Answers at a step

    /// Replaces the current step's command (`e`): records `step.edited` with before and after. The REPL then
    /// shows it again for approval.
    public func edit(command newCommand: String) throws {
        try ensureOpen()
        guard let frame = state.current, let item = frame.item else { throw SessionError.noCurrentItem }
        guard case .step = item else {
            throw SessionError.wrongItemKind(expected: "step", actual: Self.kindName(item))
        }
        try refuseHiddenCharacters(in: newCommand)
        let before = currentCommand ?? ""
        var payload: [String: JSONValue] = [
            "runbook": .string(frame.runbook.id), "before": .string(before), "after": .string(newCommand),
        ]
        // The transcript keeps the edit redacted; the flag tells a resumed session that the stored text is not
        // the command (it falls back to the runbook's).
        let redacted = (dependencies.redactor?.redact(newCommand) ?? newCommand) != newCommand
        if redacted { payload["redacted"] = true }
        try record(EventDraft(.stepEdited, stepID: item.id, payload: .object(payload)))
        // What runs is exactly what the responder typed and approved, never the redacted copy the store returns.
        if let key = state.currentKey { state.editedCommands[key] = newCommand }
    }

    /// Refuses a typed command (an edit, `sh`) holding a control character that a terminal would act on.
    private func refuseHiddenCharacters(in command: String) throws {
        if let offset = ControlCharacters.firstOffset(in: command) {
            let byte = Array(command.utf8)[offset]
            throw SessionError.invalidArgument(
                "the command holds the control character \(ControlCharacters.caret(byte)) at character \(offset + 1); "
                    + "a terminal would act on it instead of showing it, so nothing runs")
        }
    }

    /// Skips the current item (`s [reason]`) and moves past it.
    public func skip(reason: String?) throws {
        try ensureOpen()
        guard let frame = state.current, let item = frame.item else { throw SessionError.noCurrentItem }
        var payload: [String: JSONValue] = ["runbook": .string(frame.runbook.id)]
        if let reason, !reason.isEmpty { payload["reason"] = .string(reason) }
        try record(EventDraft(.stepSkipped, stepID: item.id, payload: .object(payload)))
    }

    /// Confirms the current manual step done and moves past it. An `{ack}` item also acknowledges the incident when
    /// nobody has yet; returns whether it did.
    @discardableResult
    public func completeManual() throws -> Bool {
        try ensureOpen()
        guard let frame = state.current, let item = frame.item else { throw SessionError.noCurrentItem }
        guard case .manual(let manual) = item else {
            throw SessionError.wrongItemKind(expected: "manual step", actual: Self.kindName(item))
        }
        // An `{ack}` item acknowledges first, so the escalation clock stops at the moment it was done.
        let acknowledges = manual.acknowledges && acknowledgements.isEmpty
        if acknowledges { try acknowledge() }
        var payload: [String: JSONValue] = ["runbook": .string(frame.runbook.id), "text": .string(manual.text)]
        if acknowledges { payload["acknowledged"] = true }
        try record(EventDraft(.manualDone, stepID: item.id, payload: .object(payload)))
        return acknowledges
    }

    /// Chooses option `number` (1-based) of the current choice: records `choice.made`, then opens the chosen
    /// runbook (pushing the current one, to come back to after the choice) or moves to the chosen heading.
    public func choose(option number: Int) throws {
        try ensureOpen()
        guard let frame = state.current, let item = frame.item else { throw SessionError.noCurrentItem }
        guard case .choice(let choice) = item else {
            throw SessionError.wrongItemKind(expected: "choice", actual: Self.kindName(item))
        }
        guard choice.options.indices.contains(number - 1) else {
            throw SessionError.noSuchOption(number, count: choice.options.count)
        }
        let option = choice.options[number - 1]
        // Resolve the target before recording, so a missing runbook leaves no half-made choice behind.
        let destination = try resolve(option.target, from: frame.runbook)
        try record(
            EventDraft(
                .choiceMade, stepID: item.id,
                payload: [
                    "runbook": .string(frame.runbook.id), "option": .int(Int64(number)), "label": .string(option.label),
                    "target": .string(option.target.description),
                ]))
        try navigate(to: destination, via: "choice", returnIndex: frame.index + 1)
    }

    /// Makes the move of a choice whose `choice.made` was recorded but whose `runbook.opened` was not (a crash
    /// between the two): `resume` calls it, so the responder lands where the choice leads.
    func finishInterruptedChoice() throws {
        guard let number = state.unfinishedChoice, let frame = state.current, let item = frame.item,
            case .choice(let choice) = item, choice.options.indices.contains(number - 1)
        else { return }
        let destination = try resolve(choice.options[number - 1].target, from: frame.runbook)
        try navigate(to: destination, via: "choice", returnIndex: frame.index + 1)
    }

    // MARK: - Moving

    /// Goes back to the previous item that applies (`b`); the REPL shows it again. Moves are recorded as
    /// `runbook.opened` of the same runbook with `via` = back, goto, on-fail or continue.
    public func back() throws {
        try ensureOpen()
        guard let frame = state.current,
            let previous = state.previousApplicableIndex(in: frame.runbook, before: frame.index)
        else { throw SessionError.atFirstItem }
        try move(to: previous, via: "back")
    }

    /// Moves to the step `stepID` of the current runbook (`goto STEP`), to a `#heading`, or to `other.md#heading`.
    public func goto(_ target: String) throws {
        try follow(target, as: .stepOrLink, via: "goto")
    }

    /// Opens another runbook inside the same incident (`open RUNBOOK`, `open other.md#heading`); at its end,
    /// `returnToParent()` comes back here.
    public func open(runbookID: String) throws {
        try follow(runbookID, as: .runbook, via: "open")
    }

    /// Follows the current step's `on-fail` target after an unexpected result.
    public func followFailureTarget() throws {
        try ensureOpen()
        guard case .step(let step)? = state.current?.item else { throw SessionError.noCurrentItem }
        guard let target = step.attributes.onFail else { throw SessionError.noFailureTarget(step: step.id) }
        try follow(target, as: .stepOrLink, via: "on-fail")
    }

    /// Reads `text` with the one link reader and moves there: a step or heading of this runbook is a move, another
    /// runbook is pushed. A target that does not parse is a `SessionError`, never a crash.
    private func follow(_ text: String, as context: LinkTarget.Context, via: String) throws {
        try ensureOpen()
        guard let frame = state.current else { throw SessionError.noCurrentItem }
        let target: LinkTarget
        switch LinkTarget.parse(text, as: context) {
        case .success(let parsed): target = parsed
        case .failure(let error): throw SessionError.badTarget(error)
        }
        // `open` comes back to the item it was typed at; a failed step's target comes back after the step.
        let returnIndex = via == "open" ? frame.index : frame.index + 1
        let destination = try resolve(target, from: frame.runbook, byID: context == .runbook)
        try navigate(to: destination, via: via, returnIndex: returnIndex)
    }

    /// Moves past the current item after an unexpected result, leaving it marked failed.
    public func continueAfterFailure() throws {
        try ensureOpen()
        guard let frame = state.current else { throw SessionError.noCurrentItem }
        try move(to: state.applicableIndex(in: frame.runbook, from: frame.index + 1), via: "continue")
    }

    /// At the end of a runbook opened from another one, goes back to that one, after the item that led away.
    /// Returns `false` when there is nothing to return to.
    @discardableResult
    public func returnToParent() throws -> Bool {
        try ensureOpen()
        guard state.frames.count > 1 else { return false }
        let parent = state.frames[state.frames.count - 2]
        let index = state.applicableIndex(in: parent.runbook, from: parent.index)
        try record(
            EventDraft(
                .runbookOpened, stepID: itemID(in: parent.runbook, at: index),
                payload: [
                    "runbook": .string(parent.runbook.id), "index": .int(Int64(index)), "via": "return",
                    "from": .string(runbook.id),
                ]))
        return true
    }

    /// Where `target` leads from `current`. A runbook named at `open` (`byID`) is an id in the runbooks
    /// directory; one in a link, a choice or `on-fail=` is a path relative to `current`'s file.
    private func resolve(_ target: LinkTarget, from current: Runbook, byID: Bool = false) throws -> (Runbook, Int) {
        switch target {
        case .runbook(let id, let anchor):
            let isCurrent =
                byID
                ? id == current.id
                : RunbookDirectoryLoader.linkedFile(id, from: current.path)
                    == RunbookCatalog.normalized(current.path)
            let runbook =
                isCurrent
                ? current
                : byID
                    ? try dependencies.loader.runbook(id: id)
                    : try dependencies.loader.runbook(linkedAs: id, from: current)
            guard let anchor else { return (runbook, state.applicableIndex(in: runbook, from: 0)) }
            guard let index = runbook.firstItemIndex(underAnchor: anchor) else {
                throw SessionError.stepNotFound(id: "#\(anchor)", runbook: runbook.id)
            }
            return (runbook, index)
        case .heading(let anchor):
            guard let index = current.firstItemIndex(underAnchor: anchor) else {
                throw SessionError.stepNotFound(id: "#\(anchor)", runbook: current.id)
            }
            return (current, index)
        case .step(let id):
            guard let index = current.items.firstIndex(where: { $0.id == id }) else {
                throw SessionError.stepNotFound(id: id, runbook: current.id)
            }
            return (current, index)
        case .external(let url):
            throw SessionError.notNavigable(url)
        }
    }

    /// Records a move within the current runbook as `runbook.opened` of the same runbook, so that a resume
    /// after a crash lands where the responder went, even before the item there was shown.
    private func move(to index: Int, via: String) throws {
        let runbook = self.runbook
        try record(
            EventDraft(
                .runbookOpened, stepID: itemID(in: runbook, at: index),
                payload: ["runbook": .string(runbook.id), "index": .int(Int64(index)), "via": .string(via)]))
        pendingAdHoc = nil
    }

    /// Records the move: another runbook is pushed on the stack; a heading of the same runbook is a jump.
    private func navigate(to destination: (Runbook, Int), via: String, returnIndex: Int) throws {
        let (runbook, index) = destination
        var payload: [String: JSONValue] = [
            "runbook": .string(runbook.id), "index": .int(Int64(index)), "via": .string(via),
        ]
        if runbook.id != self.runbook.id { payload["return_index"] = .int(Int64(returnIndex)) }
        try record(EventDraft(.runbookOpened, stepID: itemID(in: runbook, at: index), payload: .object(payload)))
        pendingAdHoc = nil
    }

    static func kindName(_ item: RunbookItem) -> String {
        switch item {
        case .step: return "step"
        case .manual: return "manual step"
        case .choice: return "choice"
        }
    }
}
