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
        /// Whether its value came from a step's `export` (see docs/execution.md).
        public var isExported: Bool

        public init(name: String, value: String?, isSecret: Bool, isExported: Bool = false) {
            self.name = name
            self.value = value
            self.isSecret = isSecret
            self.isExported = isExported
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

    /// Where an item sits: its runbook and number (of `total`), and what already became of it.
    struct Place {
        var runbookID: String
        var runbookTitle: String
        var number: Int
        var total: Int
        var itemID: String
        var title: String
        var status: ItemStatus? = nil
        var isDryRun = false
    }

    /// The fields every kind has; the rest start empty and each kind's constructor fills its own.
    private init(kind: Kind, place: Place) {
        self.kind = kind
        self.runbookID = place.runbookID
        self.runbookTitle = place.runbookTitle
        self.number = place.number
        self.total = place.total
        self.itemID = place.itemID
        self.title = place.title
        self.status = place.status
        self.isDryRun = place.isDryRun
        self.isEdited = false
        self.variables = []
        self.looksDestructive = false
        self.isInteractive = false
        self.expect = [0]
        self.options = []
    }

    /// A runbook step about to run `command` (the runbook's text, or the responder's edit of it).
    static func step(
        _ step: Step, at place: Place, command: String, variables: [Variable], looksDestructive: Bool,
        timeout: TimeInterval?, confirmationTarget: String?
    ) -> StepView {
        var view = StepView(kind: .step, place: place)
        view.guidance = step.guidance
        view.command = command
        view.isEdited = command != step.command
        view.expectedOutput = step.expectedOutput
        view.variables = variables
        view.risk = step.attributes.risk
        view.looksDestructive = looksDestructive
        view.timeout = timeout
        view.isInteractive = step.attributes.interactive
        view.expect = step.attributes.expect
        view.capture = step.attributes.capture
        view.onFail = step.attributes.onFail
        view.confirmationTarget = confirmationTarget
        return view
    }

    /// A manual step: text the responder does by hand and marks done.
    static func manual(_ manual: ManualStep, at place: Place) -> StepView {
        var view = StepView(kind: .manual, place: place)
        view.manualText = manual.text
        return view
    }

    /// A choice: a question and numbered options, each leading to a runbook.
    static func choice(_ choice: Choice, at place: Place) -> StepView {
        var view = StepView(kind: .choice, place: place)
        view.choicePrompt = choice.prompt
        view.options = choice.options
        return view
    }

    /// A `sh COMMAND` typed at the prompt, shown for approval in `runbook`.
    static func adHoc(
        _ command: String, in runbook: Runbook, variables: [Variable], risk: Risk, timeout: TimeInterval?,
        confirmationTarget: String?
    ) -> StepView {
        let place = Place(
            runbookID: runbook.id, runbookTitle: runbook.title ?? runbook.id, number: 0, total: 0, itemID: "sh",
            title: "Ad-hoc command")
        var view = StepView(kind: .adHoc, place: place)
        view.command = command
        view.variables = variables
        view.risk = risk
        view.looksDestructive = risk == .destructive
        view.timeout = timeout
        view.confirmationTarget = confirmationTarget
        return view
    }
}
