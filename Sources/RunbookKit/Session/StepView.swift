import Foundation

/// Everything the screen shows about the current item, as the session recorded it in `step.shown`.
public struct StepView: Sendable, Hashable {
    /// What kind of item this is.
    public enum Kind: String, Sendable, Hashable {
        case step, manual, choice
        /// A `sh COMMAND` typed at the prompt.
        case adHoc = "adhoc"
    }

    /// A variable the command uses, with its value unless it is secret.
    public struct Variable: Sendable, Hashable {
        public var name: String
        /// The value, or `nil` when not set. Secret values are here only in memory, for the live session.
        public var value: String?
        public var isSecret: Bool

        public init(name: String, value: String?, isSecret: Bool) {
            self.name = name
            self.value = value
            self.isSecret = isSecret
        }

        /// The value as it may be shown: secrets masked, unset ones marked.
        public var displayValue: String {
            guard let value else { return "(not set)" }
            return isSecret ? "••••••" : value
        }
    }

    public var kind: Kind
    public var runbookID: String
    public var runbookTitle: String
    /// 1-based position of the item in its runbook.
    public var number: Int
    /// How many items the runbook has.
    public var total: Int
    public var itemID: String
    public var title: String
    public var guidance: String?
    /// The command exactly as it will run (the edited text after an edit).
    public var command: String?
    /// Whether `command` is the responder's edit rather than the runbook's text.
    public var isEdited: Bool
    /// For `console` blocks: output the author expects (shown, never run).
    public var expectedOutput: String?
    public var variables: [Variable]
    public var risk: Risk?
    /// The command looks destructive to the linter's detector, whatever risk the author declared.
    public var looksDestructive: Bool
    /// Seconds before the command is stopped; `nil` for none.
    public var timeout: TimeInterval?
    public var isInteractive: Bool
    /// Exit codes that count as success.
    public var expect: Set<Int32>
    /// Variable that receives the output.
    public var capture: String?
    public var onFail: String?
    /// What the responder must type before this runs (destructive in production), else `nil`.
    public var confirmationTarget: String?
    /// The text of a manual step.
    public var manualText: String?
    /// The question of a choice.
    public var choicePrompt: String?
    /// The options of a choice, numbered from 1 on screen.
    public var options: [ChoiceOption]
    /// What already became of this item (a retry or a `back` shows it again).
    public var status: ItemStatus?
    /// Whether the step was shown in a dry run.
    public var isDryRun: Bool

    /// Whether the screen must warn: declared destructive, or flagged by the detector.
    public var needsWarning: Bool { risk == .destructive || looksDestructive }

    /// Creates a view; the session builds these, tests and the REPL's previews may too.
    public init(
        kind: Kind, runbookID: String, runbookTitle: String, number: Int, total: Int, itemID: String, title: String,
        guidance: String? = nil, command: String? = nil, isEdited: Bool = false, expectedOutput: String? = nil,
        variables: [Variable] = [], risk: Risk? = nil, looksDestructive: Bool = false, timeout: TimeInterval? = nil,
        isInteractive: Bool = false, expect: Set<Int32> = [0], capture: String? = nil, onFail: String? = nil,
        confirmationTarget: String? = nil, manualText: String? = nil, choicePrompt: String? = nil,
        options: [ChoiceOption] = [], status: ItemStatus? = nil, isDryRun: Bool = false
    ) {
        self.kind = kind
        self.runbookID = runbookID
        self.runbookTitle = runbookTitle
        self.number = number
        self.total = total
        self.itemID = itemID
        self.title = title
        self.guidance = guidance
        self.command = command
        self.isEdited = isEdited
        self.expectedOutput = expectedOutput
        self.variables = variables
        self.risk = risk
        self.looksDestructive = looksDestructive
        self.timeout = timeout
        self.isInteractive = isInteractive
        self.expect = expect
        self.capture = capture
        self.onFail = onFail
        self.confirmationTarget = confirmationTarget
        self.manualText = manualText
        self.choicePrompt = choicePrompt
        self.options = options
        self.status = status
        self.isDryRun = isDryRun
    }
}
