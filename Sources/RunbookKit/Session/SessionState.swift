import Foundation

/// The state of one incident, as a fold over its recorded events.
///
/// The live session and `resume` share this reducer: every action records an event and then applies it here, and
/// resuming applies the recorded events in order. So a resumed session is, by construction, where the live one
/// was when its last event was committed.
struct SessionState {
    var environment: String
    var severity: Severity
    var status: IncidentStatus = .open
    /// The open runbooks; the last one is current.
    var frames: [SessionFrame] = []
    /// Every runbook opened in the incident, once each, in the order first opened (`status` counts their steps).
    var openedRunbooks: [Runbook] = []
    /// What became of each item, keyed by `runbook/item`.
    var statuses: [String: ItemStatus] = [:]
    /// Values of non-secret variables, and of secret ones entered in this process.
    var values: [String: String] = [:]
    /// Secret variables that were set at some point (their values are never recorded).
    var secretNames: Set<String> = []
    /// Variables whose latest value a step exported (`variable.set` with source `export`).
    var exportedNames: Set<String> = []
    /// Variables a step unset: later commands do not get them, even from runbook's own environment.
    var unsetNames: Set<String> = []
    /// Commands edited and not yet run, keyed by `runbook/item`.
    var editedCommands: [String: String] = [:]
    /// The current item was shown and waits for an answer.
    var pending = false
    /// Steps whose `command.started` has no `command.finished` (nor a failure to start, nor a skip): `runbook` stopped
    /// while the command ran, so its result is unknown. By status key, with when it started.
    var unfinishedCommands: [String: Date] = [:]
    /// Who acknowledged, in order.
    var acknowledgements: [String] = []
    /// The latest `handoff` target.
    var responder: String?
    /// The option of a `choice.made` not yet followed by the move it implies (a crash between the two events);
    /// `resume` finishes the move.
    var unfinishedChoice: Int?

    init(environment: String, severity: Severity) {
        self.environment = environment
        self.severity = severity
    }

    var current: SessionFrame? { frames.last }

    /// The key of an item for `statuses` and `editedCommands`.
    static func key(runbook: String, item: String) -> String { "\(runbook)/\(item)" }

    var currentKey: String? {
        guard let frame = current, let item = frame.item else { return nil }
        return Self.key(runbook: frame.runbook.id, item: item.id)
    }

    /// Whether `item` applies in this incident's environment (steps limited by `env=` and ignored blocks do not).
    func applies(_ item: RunbookItem) -> Bool {
        guard case .step(let step) = item else { return true }
        if step.attributes.ignore { return false }
        return step.attributes.environments.isEmpty
            || EnvironmentName.list(step.attributes.environments, contains: environment)
    }

    /// The first applicable index at or after `start` in `runbook` (`items.count` when none is left).
    func applicableIndex(in runbook: Runbook, from start: Int) -> Int {
        var index = max(start, 0)
        while index < runbook.items.count, !applies(runbook.items[index]) { index += 1 }
        return min(index, runbook.items.count)
    }

    /// The index of the last applicable item before `index`, if any.
    func previousApplicableIndex(in runbook: Runbook, before index: Int) -> Int? {
        var candidate = min(index, runbook.items.count) - 1
        while candidate >= 0 {
            if applies(runbook.items[candidate]) { return candidate }
            candidate -= 1
        }
        return nil
    }

    /// Moves the current frame past its current item.
    mutating func advance() {
        guard var frame = frames.popLast() else { return }
        frame.index = applicableIndex(in: frame.runbook, from: frame.index + 1)
        frames.append(frame)
        pending = false
    }

    /// Moves the current frame to `index` (a goto, back, or a show of that item).
    mutating func move(to index: Int) {
        guard !frames.isEmpty else { return }
        frames[frames.count - 1].index = index
    }

    /// Applies one recorded event. `loader` resolves the runbooks that `runbook.opened` events name.
    mutating func apply(_ event: RecordedEvent, loader: any RunbookLoading) throws {
        let payload = event.payload
        switch event.type {
        case .runbookOpened:
            let id = payload["runbook"]?.stringValue ?? ""
            let via = payload["via"]?.stringValue ?? "open"
            let runbook = try frames.last(where: { $0.runbook.id == id })?.runbook ?? loader.runbook(id: id)
            let index = Self.index(of: event.stepID, fallback: payload["index"], in: runbook)
            if !openedRunbooks.contains(where: { $0.id == runbook.id }) { openedRunbooks.append(runbook) }
            switch via {
            case "start", "attach":
                frames = [SessionFrame(runbook: runbook, index: index)]
                // An incident declared without an environment gets the one asked when its session began.
                if let asked = payload["environment"]?.stringValue, !asked.isEmpty { environment = asked }
            case "return":
                if frames.count > 1 { frames.removeLast() }
                move(to: index)
            default:
                if let returnIndex = payload["return_index"]?.intValue, !frames.isEmpty {
                    move(to: Int(returnIndex))
                    frames.append(SessionFrame(runbook: runbook, index: index))
                } else if frames.isEmpty {
                    frames = [SessionFrame(runbook: runbook, index: index)]
                } else {
                    frames[frames.count - 1] = SessionFrame(runbook: runbook, index: index)
                }
            }
            pending = false
            unfinishedChoice = nil
        case .stepShown:
            guard payload["kind"]?.stringValue != "adhoc", let frame = current,
                payload["runbook"]?.stringValue == frame.runbook.id
            else { return }
            move(to: Self.index(of: event.stepID, fallback: payload["index"], in: frame.runbook))
            pending = payload["dry_run"]?.boolValue != true
        case .stepEdited:
            if let key = currentKey(for: event.stepID), let after = payload["after"]?.stringValue {
                // A redacted edit is not the command that was typed: the live session sets the typed text itself,
                // and a resumed one goes back to the runbook's command rather than run `[REDACTED:…]`.
                editedCommands[key] = payload["redacted"]?.boolValue == true ? nil : after
            }
        case .commandStarted:
            guard let key = currentKey(for: event.stepID) else { return }
            if payload["background"]?.boolValue == true {
                // A background step is done once it has started: the session does not wait for it.
                statuses[key] = .done
                editedCommands[key] = nil
                advance()
            } else {
                unfinishedCommands[key] = event.timestamp
            }
        case .stepSkipped:
            if let key = currentKey(for: event.stepID) {
                unfinishedCommands[key] = nil
                statuses[key] = .skipped
                editedCommands[key] = nil
                advance()
            }
        case .commandFinished:
            // A background step's end is recorded whenever it comes, wherever the session is by then.
            guard payload["background"]?.boolValue != true, let key = currentKey(for: event.stepID) else { return }
            unfinishedCommands[key] = nil
            if payload["expected"]?.boolValue == true {
                statuses[key] = .done
                editedCommands[key] = nil
                advance()
            } else {
                statuses[key] = .failed
            }
        case .commandFailedToStart:
            if let key = currentKey(for: event.stepID) {
                statuses[key] = .failed
                unfinishedCommands[key] = nil
            }
        case .manualDone:
            if let key = currentKey(for: event.stepID) {
                statuses[key] = .done
                advance()
            }
        case .choiceMade:
            if let key = currentKey(for: event.stepID) {
                statuses[key] = .done
                pending = false
                unfinishedChoice = payload["option"]?.intValue.map { Int($0) }
            }
        case .variableSet:
            guard let name = payload["name"]?.stringValue else { return }
            if payload["source"]?.stringValue == "export" {
                exportedNames.insert(name)
            } else {
                exportedNames.remove(name)
            }
            if payload["unset"]?.boolValue == true {
                values[name] = nil
                secretNames.remove(name)
                unsetNames.insert(name)
                return
            }
            unsetNames.remove(name)
            if payload["secret"]?.boolValue == true {
                secretNames.insert(name)
                values[name] = nil
            } else if let value = payload["value"]?.stringValue {
                values[name] = value
            }
        case .severityChanged:
            if let to = payload["to"]?.stringValue.flatMap(Severity.init(parsing:)) { severity = to }
        case .statusChanged:
            if let to = payload["to"]?.stringValue.flatMap(IncidentStatus.init(rawValue:)) { status = to }
        case .ackReceived:
            acknowledgements.append(payload["by"]?.stringValue ?? event.actor)
        case .incidentResolved:
            status = .resolved
        case .handoff:
            responder = payload["to"]?.stringValue
        default:
            break
        }
    }

    /// The status key of the current item when the event is about it (events about other items change nothing).
    private func currentKey(for stepID: String?) -> String? {
        guard let stepID, let frame = current, let item = frame.item, item.id == stepID else { return nil }
        return Self.key(runbook: frame.runbook.id, item: stepID)
    }

    /// Finds an item by id (robust to a runbook edited between crash and resume), else uses the recorded index.
    private static func index(of itemID: String?, fallback: JSONValue?, in runbook: Runbook) -> Int {
        if let itemID, let found = runbook.items.firstIndex(where: { $0.id == itemID }) { return found }
        let recorded = Int(fallback?.intValue ?? 0)
        return min(max(recorded, 0), runbook.items.count)
    }
}
