import Foundation
import RunbookKit

/// Turns the session's state into the text the responder reads: step screens, results, lists and the prompt.
///
/// Pure functions of their input (no I/O), so the screens are tested as golden text.
public struct SessionRenderer: Sendable {
    /// Whether colours are used: the one terminal decision (`TerminalStyle.detect`), or `.plain`.
    public var style: TerminalStyle
    /// The terminal's width, asked at each screen (it changes when the window is resized); `nil` wraps nothing.
    public var columns: @Sendable () -> Int?

    /// Creates a renderer; `.plain` gives plain text, `columns` the width prose is wrapped to.
    public init(style: TerminalStyle = .plain, columns: @escaping @Sendable () -> Int? = { nil }) {
        self.style = style
        self.columns = columns
    }

    /// The renderer for a REPL: colour only for a person at a terminal (`interactive`) that allows it (scripted
    /// mode always reads plain text).
    public static func forREPL(interactive: Bool) -> SessionRenderer {
        let detected = TerminalStyle.detect()
        let style = interactive ? detected : TerminalStyle(usesColor: false, usesASCIIMarks: detected.usesASCIIMarks)
        guard interactive else { return SessionRenderer(style: style) }
        return SessionRenderer(style: style, columns: { @Sendable () -> Int? in TerminalSize.current()?.columns })
    }

    /// `text` wrapped at word boundaries to the terminal's width (`TextWrapping.wrap`), joined with line breaks.
    public func wrapped(_ text: String, indent: String = "", continuation: String? = nil) -> String {
        TextWrapping.wrap(text, width: columns(), indent: indent, continuation: continuation).joined(separator: "\n")
    }

    func paint(_ text: String, _ colors: TerminalStyle.Color...) -> String {
        style.paint(text, colors)
    }

    // MARK: - Prompt

    /// `#12 P1 production 04:31 › `
    ///
    /// `countdown` is the time left before the next escalation (`#12 P0 ⏱ 12:04 staging 04:31 › `); `nil` when
    /// no timer is armed (acknowledged, no policy). `escalationExhausted` (every repeat fired, nobody
    /// acknowledged) takes the countdown's place, so an ended countdown never looks like an acknowledgement.
    public func prompt(
        incidentID: Int64, severity: Severity, environment: String, elapsed: TimeInterval,
        countdown: TimeInterval? = nil, escalationExhausted: Bool = false,
        production: ProductionEnvironments = ProductionEnvironments()
    ) -> String {
        let severityText = paint(severity.rawValue, severity <= .p1 ? .red : .yellow)
        let shown = ControlCharacters.oneLine(environment)
        let environmentText = production.contains(environment) ? paint(shown, .magenta) : shown
        var countdownText =
            countdown.map { " " + paint(style.mark(.countdown) + " " + Self.clock($0), $0 <= 60 ? .red : .yellow) }
            ?? ""
        if countdown == nil, escalationExhausted {
            countdownText = " " + paint(Self.escalationExhausted, .red, .bold)
        }
        return "#\(incidentID) \(severityText)\(countdownText) \(environmentText) \(Self.clock(elapsed)) "
            + style.mark(.pointer) + " "
    }

    /// What the prompt says in place of the countdown once every repeat has fired without an acknowledgement.
    public static let escalationExhausted = "escalation exhausted, still unacknowledged"

    /// `04:31`, or `1:02:03` past an hour.
    public static func clock(_ interval: TimeInterval) -> String {
        let total = max(0, Int(interval))
        let (hours, minutes, seconds) = (total / 3600, total / 60 % 60, total % 60)
        return hours > 0
            ? String(format: "%d:%02d:%02d", hours, minutes, seconds) : String(format: "%02d:%02d", minutes, seconds)
    }

    /// `30s`, `5m`, `1h30m`.
    public static func duration(_ seconds: TimeInterval) -> String {
        if seconds < 60, seconds != seconds.rounded() { return String(format: "%.1fs", seconds) }
        let total = Int(seconds.rounded())
        let (hours, minutes, rest) = (total / 3600, total / 60 % 60, total % 60)
        var text = ""
        if hours > 0 { text += "\(hours)h" }
        if minutes > 0 { text += "\(minutes)m" }
        if rest > 0 || text.isEmpty { text += "\(rest)s" }
        return text
    }

    // MARK: - A step

    /// The screen for one item: number and title, where it runs (`target`, see `targetLine(_:)`), guidance, the
    /// command exactly as it will run, its variables (secrets masked), risk, timeout, and the answers.
    public func render(_ view: StepView, target: StepTarget? = nil) -> String {
        var lines: [String] = []
        let heading =
            view.kind == .adHoc
            ? paint("[sh] Ad-hoc command", .bold)
            : paint("[\(view.number)/\(view.total)] \(ControlCharacters.visible(view.title))", .bold)
        let tags = [view.runbookID, view.isDryRun ? "dry run" : nil, view.status.map { "was \($0.rawValue)" }]
            .compactMap { $0 }.joined(separator: " · ")
        lines.append("")
        lines.append(wrapped(heading + "  " + paint("(\(tags))", .dim), continuation: "  "))
        if let target { lines.append(wrapped(targetLine(target))) }
        if let guidance = view.guidance, !guidance.isEmpty {
            lines.append(wrapped(ControlCharacters.visible(guidance), indent: "  "))
        }
        switch view.kind {
        case .step, .adHoc:
            lines.append("")
            // Control characters are shown, never sent to the terminal: what is seen is what runs.
            let commandLines = ControlCharacters.visible(view.command ?? "")
                .split(separator: "\n", omittingEmptySubsequences: false)
            for (offset, line) in commandLines.enumerated() {
                lines.append("  " + paint(offset == 0 ? "$ " : "  ", .dim) + paint(String(line), .cyan))
            }
            // Never wrapped: a command wider than the screen is shown whole (the terminal folds it), and said so.
            if let width = columns(),
                commandLines.contains(where: { TerminalStyle.displayWidth(String($0)) + 4 > width })
            {
                lines.append(
                    wrapped(
                        paint("(the command is wider than the screen: shown whole, not wrapped)", .dim), indent: "  "))
            }
            if view.isEdited { lines.append("  " + paint("(edited)", .yellow)) }
            if let expected = view.expectedOutput, !expected.isEmpty {
                lines.append("  expected output:")
                lines.append(
                    contentsOf: ControlCharacters.visible(expected).split(separator: "\n").map {
                        "    " + paint(String($0), .dim)
                    })
            }
            lines.append("")
            if let variables = variablesLine(of: view) { lines.append(variables) }
            lines.append(wrapped(details(of: view), indent: "  "))
            if view.needsWarning { lines.append(contentsOf: warning(for: view)) }
            lines.append(answers(for: view))
        case .manual:
            lines.append("")
            lines.append(
                wrapped(
                    style.mark(.manual) + " " + ControlCharacters.visible(view.manualText ?? view.title), indent: "  ",
                    continuation: "    "))
            lines.append("")
            lines.append(answers(for: view))
        case .choice:
            if let prompt = view.choicePrompt, prompt != view.guidance {
                lines.append(wrapped(ControlCharacters.visible(prompt), indent: "  "))
            }
            lines.append("")
            for (offset, option) in view.options.enumerated() {
                var line = "  \(offset + 1)) \(paint(ControlCharacters.visible(option.label), .bold))"
                if let detail = option.detail, !detail.isEmpty {
                    line += detail.hasPrefix("—") || detail.hasPrefix("-") ? " \(detail)" : " — \(detail)"
                }
                line += paint("  → \(option.target)", .dim)
                lines.append(wrapped(line, continuation: "     "))
            }
            lines.append("")
            lines.append(answers(for: view))
        }
        return lines.joined(separator: "\n")
    }

    func details(of view: StepView) -> String {
        var parts: [String] = []
        switch view.risk {
        case .destructive?: parts.append(paint("risk: DESTRUCTIVE", .redBackground))
        case .change?: parts.append("risk: " + paint("change", .yellow))
        case .read?: parts.append("risk: " + paint("read", .green))
        case nil: break
        }
        parts.append("timeout: " + (view.timeout.map(Self.duration) ?? "none"))
        if view.expect != [0] {
            parts.append("expect: " + view.expect.sorted().map(String.init).joined(separator: ","))
        }
        if let capture = view.capture { parts.append("capture: \(capture)") }
        if let onFail = view.onFail { parts.append("on-fail: \(onFail)") }
        if view.isInteractive { parts.append("interactive") }
        return parts.joined(separator: " · ")
    }

    func warning(for view: StepView) -> [String] {
        var lines: [String] = []
        if view.risk != .destructive, view.looksDestructive {
            lines.append(
                "  "
                    + paint(
                        style.mark(.warning)
                            + " this command looks destructive, though the runbook marks it \(view.risk?.rawValue ?? "unknown")",
                        .red, .bold))
        } else {
            lines.append(
                "  " + paint(style.mark(.warning) + " destructive: it removes or replaces something", .red, .bold))
        }
        if let line = confirmationLine(of: view) { lines.append(line) }
        return lines
    }

    /// What the responder will type to run a destructive step in production, or why it cannot be confirmed.
    public func confirmationLine(of view: StepView) -> String? {
        guard let target = view.confirmationTarget else { return nil }
        if target.allSatisfy(\.isWhitespace) {
            return "  " + paint("  in production: NAMESPACE is empty, so this step cannot be confirmed", .red)
        }
        return "  " + paint("  in production: you will type '\(ControlCharacters.visible(target))' to run it", .red)
    }

    /// `  variables: NAME=value …` for a step that uses variables (unset ones marked), else `nil`.
    public func variablesLine(of view: StepView) -> String? {
        guard !view.variables.isEmpty else { return nil }
        let shown = view.variables.map { variable in
            let value = ControlCharacters.visible(variable.displayValue)
            return "\(variable.name)=\(variable.value == nil ? paint(value, .yellow) : value)"
        }
        return wrapped("variables: " + shown.joined(separator: "  "), indent: "  ", continuation: "    ")
    }

    /// The answers line for the item's kind.
    public func answers(for view: StepView) -> String {
        let text: String
        switch view.kind {
        case .step: text = "run? y/yes/run · e/edit · s/skip [reason] · n/note TEXT · b/back · ?/help · q/quit"
        case .adHoc: text = "run? y/yes/run · e/edit · anything else cancels"
        case .manual: text = "done? d/done · s/skip [reason] · n/note TEXT · b/back · ?/help · q/quit"
        case .choice:
            text = "choose 1-\(view.options.count) · s/skip [reason] · n/note TEXT · b/back · ?/help · q/quit"
        }
        return wrapped(text).split(separator: "\n").map { paint(String($0), .dim) }.joined(separator: "\n")
    }

    // MARK: - Results

    /// `✓ exit 0 · 0.4s`, `✗ exit 22 (expected 0) · 0.2s`, `✗ timed out after 30s`, …
    public func render(_ run: StepRun) -> String {
        switch run.outcome {
        case .refused(let expected):
            return paint(
                style.mark(.failed) + " cancelled: the typed name did not match '\(expected)'; nothing ran", .yellow)
        case .failedToStart(let message):
            return paint(style.mark(.failed) + " could not start: \(message)", .red, .bold)
        case .startedInBackground:
            return paint(
                style.mark(.done) + " started in the background: its output is recorded, not shown (`jobs` lists it)",
                .green)
        case .completed, .unexpectedExit:
            guard let result = run.result else { return "" }
            let expected = run.expect.sorted().map(String.init).joined(separator: ",")
            let time = Self.duration(result.duration)
            if result.timedOut { return paint(style.mark(.failed) + " timed out after \(time)", .red, .bold) }
            if let signal = result.signal, result.exitCode == nil {
                return paint(style.mark(.failed) + " killed by signal \(signal) after \(time)", .red, .bold)
            }
            let code = result.exitCode.map(String.init) ?? "?"
            if run.outcome == .completed {
                return paint(style.mark(.done) + " exit \(code)", .green) + paint(" · \(time)", .dim)
            }
            return paint(style.mark(.failed) + " exit \(code) (expected \(expected))", .red, .bold)
                + paint(" · \(time)", .dim)
        }
    }

    /// The choices offered after an unexpected result.
    public func failureChoices(onFail: String?) -> String {
        var options: [String] = []
        if let onFail { options.append("o/on-fail (go to \(onFail))") }
        options += ["r/retry", "c/continue", "s/skip [reason]", "e/edit", "q/quit"]
        return wrapped("unexpected result: " + options.joined(separator: " · ")).split(separator: "\n")
            .map { paint(String($0), .yellow) }.joined(separator: "\n")
    }

    // MARK: - Lists

    /// The current runbook's items with done/skipped/failed marks and the current one pointed at.
    public func steps(of frame: SessionFrame, status: (String) -> ItemStatus?, applies: (RunbookItem) -> Bool)
        -> String
    {
        var lines = [paint(frame.runbook.title ?? frame.runbook.id, .bold) + paint(" (\(frame.runbook.id))", .dim)]
        for (index, item) in frame.runbook.items.enumerated() {
            let mark: String
            switch status(item.id) {
            case .done?: mark = paint(style.mark(.done), .green)
            case .skipped?: mark = paint(style.mark(.skipped), .yellow)
            case .failed?: mark = paint(style.mark(.failed), .red)
            case nil: mark = applies(item) ? style.mark(.pending) : paint("/", .dim)
            }
            let pointer = index == frame.index ? paint(style.mark(.pointer), .bold) : " "
            let number = frame.runbook.stepNumber(of: item.id) ?? index + 1
            var line = "\(pointer) \(mark) \(String(format: "%2d", number)). \(item.id)"
            line += paint("  \(item.title)", .dim)
            if !applies(item) { line += paint("  (not in this environment)", .dim) }
            lines.append(line)
        }
        if frame.index >= frame.runbook.items.count {
            lines.append(paint(style.mark(.pointer) + " end of runbook", .bold))
        }
        return lines.joined(separator: "\n")
    }

    /// `vars`: every variable with its value, secrets masked, those a step exported marked.
    public func variables(_ variables: [StepView.Variable]) -> String {
        variables.map {
            let notes = [$0.isSecret ? "secret" : nil, $0.isExported ? "exported" : nil].compactMap { $0 }
            return "  \($0.name)=\(ControlCharacters.visible($0.displayValue))"
                + (notes.isEmpty ? "" : paint("  (\(notes.joined(separator: ", ")))", .dim))
        }
        .joined(separator: "\n")
    }

    /// What a command exported, for later steps, and what it exported that they do not get; `nil` for nothing.
    public func exports(of run: StepRun) -> String? {
        var lines: [String] = []
        if !run.exported.isEmpty {
            let shown = run.exported.map {
                "\($0.name)=\($0.isSecret ? "••••••" : ControlCharacters.visible(Self.shortened($0.value)))"
            }
            lines.append("exported " + shown.joined(separator: "  ") + paint("  (later steps get them)", .dim))
        }
        if !run.ignoredExports.isEmpty {
            lines.append(
                paint(
                    "not passed on: " + run.ignoredExports.map { ControlCharacters.visible($0) }.joined(separator: ", ")
                        + " (not a variable name, or one a runbook may not set)", .dim))
        }
        return lines.isEmpty ? nil : lines.joined(separator: "\n")
    }

    /// `value` on one line (`⏎` for a line break), cut to 80 characters, for a one-line summary.
    private static func shortened(_ value: String) -> String {
        let line = value.replacingOccurrences(of: "\n", with: " ⏎ ")
        return line.count <= 80 ? line : String(line.prefix(79)) + "…"
    }

    // MARK: - Background steps

    /// One line for a background step that ended: `background step `tail` ended: exit 0 after 3.2s`.
    public func backgroundEnded(_ job: BackgroundJob) -> String {
        var line = "background step \(Self.backgroundName(job)) ended: " + Self.backgroundResult(job.result)
        if let problem = job.recordingError { line += "; its end could not be recorded: \(problem)" }
        return paint(line, job.recordingError == nil ? .yellow : .red)
    }

    /// `jobs`: each background step of the session, running or ended.
    public func backgroundJobs(_ jobs: [BackgroundJob], now: Date) -> String {
        guard !jobs.isEmpty else { return "no background steps in this session" }
        return jobs.map { job in
            let name = job.stepID ?? "sh"
            let state =
                job.result == nil
                ? "running for \(Self.duration(now.timeIntervalSince(job.startedAt)))"
                : Self.backgroundResult(job.result)
            return "  #\(job.commandSequence) \(name)  \(state)\n      \(ControlCharacters.visible(job.command))"
        }.joined(separator: "\n")
    }

    /// A background step as the screen names it: `` `step-id` ``, or the command of an ad-hoc one.
    static func backgroundName(_ job: BackgroundJob) -> String {
        "`" + (job.stepID ?? ControlCharacters.visible(job.command)) + "`"
    }

    static func backgroundResult(_ result: CommandResult?) -> String {
        guard let result else { return "running" }
        let time = duration(result.duration)
        if result.timedOut { return "timed out after \(time)" }
        if let signal = result.signal, result.exitCode == nil { return "killed by signal \(signal) after \(time)" }
        return "exit \(result.exitCode.map(String.init) ?? "?") after \(time)"
    }
}
