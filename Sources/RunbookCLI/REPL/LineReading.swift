/// What one read from the responder produced.
public enum LineInput: Sendable, Equatable {
    /// A line, without its newline.
    case line(String)
    /// Ctrl-C at the prompt: the typed line was discarded.
    case interrupted
    /// Ctrl-D, or the end of scripted input.
    case endOfInput
}

/// What the REPL wants done while it waits for a line: banners to print above the prompt, and a new prompt.
public struct PromptUpdate: Sendable, Equatable {
    /// Lines to print above the prompt without losing what the responder has typed (timer banners, injects).
    public var banners: [String]
    /// A replacement prompt (the elapsed time and countdown change while waiting); `nil` keeps the current one.
    public var prompt: String?
    /// Ring the terminal bell with the banners.
    public var bell: Bool

    public init(banners: [String] = [], prompt: String? = nil, bell: Bool = false) {
        self.banners = banners
        self.prompt = prompt
        self.bell = bell
    }
}

/// Reads the responder's answers. The REPL is one loop over this protocol: the libedit reader serves a terminal,
/// the plain reader serves scripted mode (stdin that is not a terminal, or `--answers FILE`).
public protocol LineReading: AnyObject {
    /// Reads one line. `prefill` puts text in the line buffer for editing (the `edit` answer).
    /// `tick` is called about every 100 ms while waiting; what it returns is shown at once.
    func readLine(prompt: String, prefill: String?, tick: (() -> PromptUpdate)?) -> LineInput
    /// Reads a line without echo (secret variables). Never added to history.
    func readSecret(prompt: String) -> LineInput
    /// Keeps `line` in the line-editor history. `readLine` never does so itself: only the REPL knows which lines
    /// are commands (kept) and which are answers to a variable or confirmation prompt (never kept).
    func addToHistory(_ line: String)
    /// Drops every history line `matches` accepts, in memory and in the history file (a line that holds a secret
    /// registered after it was typed).
    func forgetHistory(where matches: (String) -> Bool)
    /// Completion candidates for `word`, the word under the cursor, given the whole `line` so far.
    var completer: ((_ line: String, _ word: String) -> [String])? { get set }
    /// Whether a completed word gets a space after it: yes for a command and its arguments, no for a value (the
    /// next key is Enter, and a trailing space would become part of the value).
    var completionAppendsSpace: Bool { get set }
    /// Whether this reader talks to a person at a terminal (colours, bells and the live countdown only then).
    var isInteractive: Bool { get }
}

extension LineReading {
    /// Readers without history have nothing to forget.
    public func forgetHistory(where matches: (String) -> Bool) {}

    /// Readers without completion ignore it.
    public var completionAppendsSpace: Bool {
        get { true }
        set {}
    }
}
