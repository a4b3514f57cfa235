import Foundation

/// A parsed runbook: its front matter, and the steps, manual steps and choices in document order.
public struct Runbook: Sendable, Hashable {
    /// Identifier used on the command line (`runbook start outage`); defaults to the file name.
    public var id: String
    /// Title from the front matter, else the first level-1 heading.
    public var title: String?
    /// The file it was read from.
    public var path: String
    /// Severity an incident opened with this runbook gets unless told otherwise.
    public var severity: Severity?
    /// Environments this runbook may run in; empty means any.
    public var environments: [String]
    /// The shell that runs its steps (`bash` unless the front matter says otherwise).
    public var shell: String
    /// The front matter's `cwd`, resolved against the runbook's directory; steps' relative `cwd` start from it.
    public var workingDirectory: String?
    /// Declared variables, in declaration order.
    public var variables: [VariableSpec]
    /// The front matter's `requires`: programs the steps need that reading their commands cannot see.
    public var requires: [String] = []
    /// Steps, manual steps and choices, in document order.
    public var items: [RunbookItem]
    /// Every heading, in document order.
    public var sections: [Section]
    /// Every GFM table, in document order (the escalation matrix and contacts are tables).
    public var tables: [MarkdownTable]
    /// Items of plain bullet lists that are not task items or choices (communication channels, for one).
    public var lists: [[ListItem]]

    public init(
        id: String, title: String?, path: String, severity: Severity? = nil, environments: [String] = [],
        shell: String = "bash", variables: [VariableSpec] = [], items: [RunbookItem] = [], sections: [Section] = [],
        tables: [MarkdownTable] = [], lists: [[ListItem]] = []
    ) {
        self.id = id
        self.title = title
        self.path = path
        self.severity = severity
        self.environments = environments
        self.shell = shell
        self.workingDirectory = nil
        self.variables = variables
        self.items = items
        self.sections = sections
        self.tables = tables
        self.lists = lists
    }

    /// The executable steps only.
    public var steps: [Step] {
        items.compactMap { if case .step(let step) = $0 { return step } else { return nil } }
    }

    /// The variable declared under `name`, if any.
    public func variable(named name: String) -> VariableSpec? {
        variables.first { $0.name == name }
    }

    /// The index of the first item under the heading whose anchor is `anchor` (GitHub's slug rules).
    public func firstItemIndex(underAnchor anchor: String) -> Int? {
        guard let section = sections.first(where: { $0.anchor == anchor }) else { return nil }
        return items.firstIndex { $0.location.line >= section.location.line }
    }
}

/// One thing the responder is walked through.
public enum RunbookItem: Sendable, Hashable {
    case step(Step)
    case manual(ManualStep)
    case choice(Choice)

    /// The stable identifier of the item within its runbook.
    public var id: String {
        switch self {
        case .step(let step): return step.id
        case .manual(let manual): return manual.id
        case .choice(let choice): return choice.id
        }
    }

    /// The nearest heading above the item.
    public var title: String {
        switch self {
        case .step(let step): return step.title
        case .manual(let manual): return manual.title
        case .choice(let choice): return choice.title
        }
    }

    /// Where the item starts in its file.
    public var location: SourceLocation {
        switch self {
        case .step(let step): return step.location
        case .manual(let manual): return manual.location
        case .choice(let choice): return choice.location
        }
    }
}

/// How much harm a step can do, declared by its author and checked by the linter.
public enum Risk: String, Sendable, Hashable, Codable, CaseIterable {
    /// Only looks: `kubectl get`, `curl -f`.
    case read
    /// Changes something recoverable: `kubectl scale` up, `set env`.
    case change
    /// Removes or replaces something: `rollout undo`, `helm rollback`, `DROP`. Production needs typed confirmation.
    case destructive
}

/// An executable step: a fenced code block in a shell language.
public struct Step: Sendable, Hashable {
    /// `id` attribute, else derived from the heading (`check-service-status`, `check-service-status-2`).
    public var id: String
    /// The nearest heading above the block.
    public var title: String
    /// The paragraph just before the block, shown to the responder.
    public var guidance: String?
    /// The fence language as written (`bash`, `sh`, `console`, …).
    public var language: String
    /// What runs: the block's text, or for `console` blocks the `$ ` lines without the prompt.
    public var command: String
    /// For `console` blocks, and shell blocks written with `$ ` prompts: the lines that are not commands
    /// (shown, never run).
    public var expectedOutput: String?
    /// Whether `command` was rebuilt from `$ ` prompt lines (a `console` block, or a shell block written as a
    /// session), so offsets in it are not offsets in the file.
    public var hasPrompts: Bool = false
    public var attributes: StepAttributes
    /// The line of the opening fence.
    public var location: SourceLocation

    public init(
        id: String, title: String, guidance: String? = nil, language: String = "bash", command: String,
        expectedOutput: String? = nil, attributes: StepAttributes = StepAttributes(), location: SourceLocation
    ) {
        self.id = id
        self.title = title
        self.guidance = guidance
        self.language = language
        self.command = command
        self.expectedOutput = expectedOutput
        self.attributes = attributes
        self.location = location
    }
}

/// Attributes from a fence's info string (`{id=check-pods risk=read timeout=30s}` or its JSON form).
public struct StepAttributes: Sendable, Hashable {
    public var id: String?
    public var risk: Risk
    /// Seconds before the step's process group is terminated; `nil` uses the configured default.
    public var timeout: TimeInterval?
    /// Exit codes that count as success.
    public var expect: Set<Int32>
    /// Variable that receives the step's trimmed standard output.
    public var capture: String?
    /// Needs the responder's terminal (no timeout by default, stdin passed through).
    public var interactive: Bool
    /// Environments the step applies in; empty means all.
    public var environments: [String]
    /// Where to go when the exit code is unexpected: a step id, `#heading`, or `other.md`.
    public var onFail: String?
    /// Working directory of the command.
    public var cwd: String?
    /// Not a step: shown as prose (`ignore`, or Runme's `excludeFromRunme`).
    public var ignore: Bool
    /// Runme's `name`: the step's name for a person, distinct from `id` (which Runme fills with a ULID).
    public var name: String?
    /// Runme's `background`: accepted and recorded; the step runs in the foreground here.
    public var background: Bool
    /// Runme's `promptEnv` as written (`auto`, `yes`, `no`, …). When on, each `export NAME=literal` line of the
    /// step asks for NAME, with the literal as its default (see `RunbookBuilder+PromptEnv`).
    public var promptEnv: String?
    /// The shell named by Runme's `interpreter` when it is one that runs steps here (`bash`, `sh`, `zsh`, …).
    public var shell: String?
    /// Runme attributes accepted and recorded without an effect here (`interpreter`, `terminalRows`,
    /// `closeTerminalOnSuccess`, `mimeType`, `excludeFromRunAll`), by name, in the order written.
    public var recorded: [RecordedAttribute]
    /// Whether `promptEnv` asks for exported values: given, and not `no`, `false`, `0` or `never`. Unlike Runme,
    /// where it is on unless turned off, it is off unless given: a responder is not asked to confirm every literal.
    public var promptsForExports: Bool {
        guard let promptEnv else { return false }
        return !["false", "no", "0", "never"].contains(promptEnv.lowercased())
    }
    /// Runme's `category` and `tag`, comma-separated in either.
    public var tags: [String]
    /// `ack`: completing the item acknowledges the incident (a manual step's `{ack}`; see docs/runbook-format.md).
    public var acknowledges = false

    /// The default of `expect`: exit code 0. Built once; every step without `expect` shares it.
    public static let successExitCodes: Set<Int32> = [0]

    public init(
        id: String? = nil, risk: Risk = .change, timeout: TimeInterval? = nil,
        expect: Set<Int32> = StepAttributes.successExitCodes,
        capture: String? = nil, interactive: Bool = false, environments: [String] = [], onFail: String? = nil,
        cwd: String? = nil, ignore: Bool = false, name: String? = nil, background: Bool = false,
        promptEnv: String? = nil, shell: String? = nil, recorded: [RecordedAttribute] = [], tags: [String] = []
    ) {
        self.id = id
        self.risk = risk
        self.timeout = timeout
        self.expect = expect
        self.capture = capture
        self.interactive = interactive
        self.environments = environments
        self.onFail = onFail
        self.cwd = cwd
        self.ignore = ignore
        self.name = name
        self.background = background
        self.promptEnv = promptEnv
        self.shell = shell
        self.recorded = recorded
        self.tags = tags
    }
}

/// A Runme attribute kept as written, with no effect here (`terminalRows=20`).
public struct RecordedAttribute: Sendable, Hashable {
    public var key: String
    public var value: String
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// A GFM task-list item: the responder confirms it done or skips it.
public struct ManualStep: Sendable, Hashable {
    public var id: String
    public var title: String
    /// The item's text (`Notify #incident-response`).
    public var text: String
    /// Whether the author ticked it in the file (`- [x]`).
    public var checked: Bool
    public var location: SourceLocation
    /// `{ack}` after the text: marking it done acknowledges the incident and stops the escalation clock.
    public var acknowledges = false

    public init(id: String, title: String, text: String, checked: Bool = false, location: SourceLocation) {
        self.id = id
        self.title = title
        self.text = text
        self.checked = checked
        self.location = location
    }
}

/// A list whose items are all links: offered as a numbered menu. This is how triage branches.
public struct Choice: Sendable, Hashable {
    public var id: String
    public var title: String
    /// The paragraph before the list.
    public var prompt: String?
    public var options: [ChoiceOption]
    public var location: SourceLocation

    public init(id: String, title: String, prompt: String? = nil, options: [ChoiceOption], location: SourceLocation) {
        self.id = id
        self.title = title
        self.prompt = prompt
        self.options = options
        self.location = location
    }
}

/// One entry of a choice: its label, where it leads, and any text after the link.
public struct ChoiceOption: Sendable, Hashable {
    public var label: String
    public var target: LinkTarget
    /// Text after the link in the same item (`— pods crash-looping`).
    public var detail: String?
    public var location: SourceLocation

    public init(label: String, target: LinkTarget, detail: String? = nil, location: SourceLocation) {
        self.label = label
        self.target = target
        self.detail = detail
        self.location = location
    }
}

/// A heading.
public struct Section: Sendable, Hashable {
    public var title: String
    public var level: Int
    /// GitHub's anchor for the heading (`#check-service-status`).
    public var anchor: String
    public var location: SourceLocation

    public init(title: String, level: Int, anchor: String, location: SourceLocation) {
        self.title = title
        self.level = level
        self.anchor = anchor
        self.location = location
    }
}

/// A GFM table: its header cells and rows, as plain text with each row's line.
public struct MarkdownTable: Sendable, Hashable {
    public var header: [String]
    public var rows: [Row]
    public var location: SourceLocation

    public struct Row: Sendable, Hashable {
        public var cells: [String]
        public var location: SourceLocation
        public init(cells: [String], location: SourceLocation) {
            self.cells = cells
            self.location = location
        }
    }

    public init(header: [String], rows: [Row], location: SourceLocation) {
        self.header = header
        self.rows = rows
        self.location = location
    }

    /// The cell of `row` under the column named `column` (case-insensitive), if present.
    public func cell(_ row: Row, column: String) -> String? {
        guard let index = header.firstIndex(where: { $0.caseInsensitiveCompare(column) == .orderedSame }),
            index < row.cells.count
        else { return nil }
        return row.cells[index]
    }
}

/// An item of a plain bullet list.
public struct ListItem: Sendable, Hashable {
    public var text: String
    public var location: SourceLocation
    public init(text: String, location: SourceLocation) {
        self.text = text
        self.location = location
    }
}

/// A variable declared in the front matter.
public struct VariableSpec: Sendable, Hashable {
    /// Name parts that make a variable a secret when nothing declares it (any case): an exported one, or one a
    /// `promptEnv` step asks for. Its value is then kept in memory, registered with the redactor, and never stored.
    public static let secretNameParts = ["TOKEN", "PASSWORD", "PASSWD", "SECRET", "KEY", "CREDENTIAL", "PRIVATE"]

    /// Whether `name` holds one of `secretNameParts` (any case).
    public static func nameLooksSecret(_ name: String) -> Bool {
        let upper = name.uppercased()
        return secretNameParts.contains(where: upper.contains)
    }

    public var name: String
    /// Question shown when the value is needed.
    public var prompt: String?
    /// Default value; may refer to other variables (`candlefish-${ENVIRONMENT}`).
    public var defaultValue: String?
    /// Defaults that depend on the incident's environment (`production: candlefish-prod`); they win over
    /// `defaultValue` when the environment has an entry. Namespaces and Helm releases differ per environment.
    public var defaultsByEnvironment: [String: String]
    /// Asked without echo, never stored or exported.
    public var secret: Bool
    /// Allowed values, when restricted.
    public var choices: [String]
    /// A regular expression the whole value must match.
    public var pattern: String?
    public var location: SourceLocation?

    /// The default that applies in `environment`, before `${…}` references are expanded.
    public func defaultValue(in environment: String) -> String? {
        EnvironmentName.value(in: defaultsByEnvironment, for: environment) ?? defaultValue
    }

    public init(
        name: String, prompt: String? = nil, defaultValue: String? = nil,
        defaultsByEnvironment: [String: String] = [:], secret: Bool = false, choices: [String] = [],
        pattern: String? = nil, location: SourceLocation? = nil
    ) {
        self.name = name
        self.prompt = prompt
        self.defaultValue = defaultValue
        self.defaultsByEnvironment = defaultsByEnvironment
        self.secret = secret
        self.choices = choices
        self.pattern = pattern
        self.location = location
    }
}
