@preconcurrency import CEditline
import Foundation

/// Reads the responder's answers at a terminal through libedit: line editing, history, completion, and a prompt
/// that stays live while it waits (timer banners appear above it, the countdown in it changes every second).
///
/// libedit runs in callback mode: the reader polls stdin every 100 ms, feeds libedit one key at a time, and calls
/// `tick` in between. Use it only when stdin and stdout are terminals (`TerminalStyle.lineEditorIsUsable` decides): callback
/// mode on a pipe never returns.
///
/// libedit is one global editor, so there is one current reader at a time; its C callbacks find it through
/// `LibEditLineReader.current`. All calls must come from the same thread.
public final class LibEditLineReader: LineReading {
    /// Completion candidates for the word under the cursor (see `LineReading`).
    public var completer: ((_ line: String, _ word: String) -> [String])?

    /// Whether a completed word gets a space after it (see `LineReading`).
    public var completionAppendsSpace = true

    /// Always true: this reader serves a person at a terminal.
    public var isInteractive: Bool { true }

    /// Where typed lines are kept between sessions; `nil` keeps them for this process only.
    public let history: HistoryFile?

    /// How long to wait for a key before calling `tick` again.
    public var tickInterval: Duration = .milliseconds(100)

    /// A warning to print once if the history file cannot be used (set by `init`, printed on first read).
    private var historyWarning: String?
    private var historyWritable = false
    private var lastRecorded: String?

    /// The reader libedit's callbacks talk to. libedit has a single editor per process, so a single reference.
    nonisolated(unsafe) static weak var current: LibEditLineReader?
    /// The line the line handler received for the read in progress.
    nonisolated(unsafe) fileprivate static var finishedLine: LineInput?
    /// The candidates of the completion in progress, handed to libedit one at a time.
    nonisolated(unsafe) fileprivate static var pendingMatches: [String] = []
    nonisolated(unsafe) fileprivate static var nextMatchIndex = 0
    nonisolated(unsafe) private static var configured = false
    /// The terminal width libedit was last told of (at set-up, or by `rl_resize_terminal`).
    nonisolated(unsafe) private static var knownColumns: Int?

    /// A reader keeping its history in `history` (created 0600 in a 0700 directory if missing).
    public init(history: HistoryFile? = HistoryFile.standard()) {
        self.history = history
        Self.configureLibEdit()
        if let history {
            do {
                try history.prepare()
                historyWritable = true
                stifle_history(Int32(clamping: history.limit))
                _ = read_history(history.path)
            } catch {
                historyWarning = "runbook: typed lines will not be kept: cannot write \(history.path) (\(error))."
            }
        }
    }

    /// One-time libedit set-up; must run before libedit initialises itself on the first prompt.
    private static func configureLibEdit() {
        guard !configured else { return }
        configured = true
        _ = runbook_use_utf8_ctype()
        // libedit's own signal handling re-sends SIGINT to the whole process group; we catch signals ourselves.
        runbook_rl_set_catch_signals(0)
        runbook_rl_name_runbook()
        runbook_rl_set_completion(attemptCompletion)
        runbook_rl_set_append_character(Int32(UInt8(ascii: " ")))
        _ = rl_initialize()
    }

    // MARK: Reading

    /// Reads one line with editing, history and completion; see `LineReading.readLine`.
    public func readLine(prompt: String, prefill: String?, tick: (() -> PromptUpdate)?) -> LineInput {
        warnAboutHistoryOnce()
        Self.current = self
        Self.finishedLine = nil
        var saved = runbook_saved_signals()
        _ = runbook_catch_signals(&saved)
        defer {
            runbook_restore_signals(&saved)
            fflush(runbook_stdout())
        }
        var currentPrompt = TerminalStyle.bracketingEscapes(prompt)
        // SIGWINCH is caught only while a line is read: a window resized while a command ran (or between two
        // reads) leaves libedit with the old width, and a typed line that wraps then leaves stray rows. Re-read it.
        let columns = TerminalSize.current()?.columns
        if columns != Self.knownColumns {
            if Self.knownColumns != nil { rl_resize_terminal() }
            Self.knownColumns = columns
        }
        rl_callback_handler_install(currentPrompt, lineHandler)
        if let prefill, !prefill.isEmpty {
            // Callback mode never runs rl_pre_input_hook: insert the text and redraw instead (from the prompt's
            // start, as libedit has already drawn the prompt and would draw it again after itself).
            _ = rl_insert_text(prefill)
            redraw(prompt: currentPrompt, wrappedRows: false)
        }
        var nextTick = ContinuousClock.now + tickInterval
        while true {
            if runbook_take_interrupt() != 0 {
                // Ctrl-C: drop the typed text, leave it visible with a ^C mark, and give the prompt back.
                fputs("^C\r\n", runbook_stdout())
                rl_callback_handler_remove()
                return .interrupted
            }
            if runbook_take_continue() != 0 {
                // Back from Ctrl-Z: the shell had the terminal in its own mode. Take editing mode back (libedit
                // thinks it still has it, so leave it first), and redraw.
                rl_deprep_terminal()
                rl_prep_terminal(1)
                redraw(prompt: currentPrompt, wrappedRows: false)
            }
            if runbook_take_resize() != 0 {
                Self.knownColumns = TerminalSize.current()?.columns
                rl_resize_terminal()
                redraw(prompt: currentPrompt)
            }
            if let tick, ContinuousClock.now >= nextTick {
                nextTick = ContinuousClock.now + tickInterval
                apply(tick(), to: &currentPrompt)
            }
            let wait = max(0, milliseconds(until: nextTick))
            var descriptor = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, tick == nil ? Int32(milliseconds(tickInterval)) : wait)
            if ready < 0 {
                if errno == EINTR { continue }
                rl_callback_handler_remove()
                return .endOfInput
            }
            guard ready > 0 else { continue }
            if descriptor.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 {
                // The terminal went away (a lost SSH session): nothing more will be typed, and reading would
                // return end-of-file for ever.
                rl_callback_handler_remove()
                return .endOfInput
            }
            rl_callback_read_char()
            if let line = Self.finishedLine {
                rl_callback_handler_remove()
                return line
            }
        }
    }

    /// Reads a line without echo (secret variables); never added to history.
    public func readSecret(prompt: String) -> LineInput {
        warnAboutHistoryOnce()
        let output = runbook_stdout()
        fputs(prompt, output)
        fflush(output)
        var original = termios()
        let isTerminal = tcgetattr(STDIN_FILENO, &original) == 0
        if isTerminal {
            var silent = original
            silent.c_lflag &= ~tcflag_t(ECHO)
            // Canonical mode stays on: the kernel handles backspace, and Ctrl-C still raises SIGINT.
            silent.c_lflag |= tcflag_t(ECHONL)
            _ = tcsetattr(STDIN_FILENO, TCSANOW, &silent)
        }
        var saved = runbook_saved_signals()
        _ = runbook_catch_signals(&saved)
        defer {
            runbook_restore_signals(&saved)
            if isTerminal { _ = tcsetattr(STDIN_FILENO, TCSANOW, &original) }
            fflush(output)
        }
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let count = read(STDIN_FILENO, &byte, 1)
            if runbook_take_interrupt() != 0 {
                bytes.removeAll()
                fputs("^C\r\n", output)
                return .interrupted
            }
            if count < 0 {
                if errno == EINTR { continue }
                return .endOfInput
            }
            if count == 0 {
                // Ctrl-D: on an empty line it ends the input; after some text it only ends the read of that text.
                if bytes.isEmpty {
                    fputs("\r\n", output)
                    return .endOfInput
                }
                continue
            }
            if byte == UInt8(ascii: "\n") { break }
            bytes.append(byte)
        }
        defer { bytes.withUnsafeMutableBufferPointer { $0.initialize(repeating: 0) } }
        return .line(String(decoding: bytes, as: UTF8.self))
    }

    // MARK: The live prompt

    /// Prints banners above the prompt, rings the bell and swaps the prompt, keeping what has been typed.
    private func apply(_ update: PromptUpdate, to currentPrompt: inout String) {
        let output = runbook_stdout()
        if update.bell { fputs("\u{07}", output) }
        let newPrompt = update.prompt.map(TerminalStyle.bracketingEscapes).flatMap { $0 == currentPrompt ? nil : $0 }
        guard !update.banners.isEmpty || newPrompt != nil else {
            fflush(output)
            return
        }
        // libedit redraws from wherever the cursor is, believing it at the prompt's start: go there and clear
        // below, print the banners, and let libedit draw the prompt and the typed line again.
        // (GNU readline's save-prompt idiom loses the typed line in libedit.)
        fputs(rowsUp(forPrompt: currentPrompt) + "\r\u{1B}[J", output)
        for banner in update.banners {
            for line in banner.split(separator: "\n", omittingEmptySubsequences: false) {
                fputs(line + "\r\n", output)
            }
        }
        if let newPrompt {
            currentPrompt = newPrompt
            _ = rl_set_prompt(newPrompt)
        }
        rl_forced_update_display()
        fflush(output)
    }

    /// Clears from the prompt's start down and has libedit draw the prompt and the typed line again.
    ///
    /// libedit redraws from wherever the cursor is, believing it at the prompt's start, so go there first: up the
    /// rows a long typed line wrapped onto (`wrappedRows`), then to column 0.
    private func redraw(prompt: String, wrappedRows: Bool = true) {
        let output = runbook_stdout()
        fputs((wrappedRows ? rowsUp(forPrompt: prompt) : "") + "\r\u{1B}[J", output)
        rl_forced_update_display()
        fflush(output)
    }

    /// The escape sequence that moves the cursor from its row up to the prompt's first row, for a typed line
    /// long enough to wrap.
    private func rowsUp(forPrompt prompt: String) -> String {
        let columns = TerminalSize.current()?.columns ?? 80
        guard columns > 0 else { return "" }
        let typed = String(cString: runbook_rl_line_buffer())
        let beforeCursor = String(decoding: typed.utf8.prefix(Int(runbook_rl_point())), as: UTF8.self)
        let width = TerminalStyle.displayWidth(prompt) + TerminalStyle.displayWidth(beforeCursor)
        let rows = width / columns
        return rows > 0 ? "\u{1B}[\(rows)A" : ""
    }

    // MARK: History

    /// Adds `line` to the history and writes the file; see `LineReading.addToHistory`.
    public func addToHistory(_ line: String) {
        guard HistoryFile.shouldRecord(line), line != lastRecorded else { return }
        lastRecorded = line
        _ = add_history(line)
        if historyWritable, let history {
            _ = write_history(history.path)
        }
    }

    /// Removes the history lines `matches` accepts and rewrites the file; see `LineReading.forgetHistory`.
    public func forgetHistory(where matches: (String) -> Bool) {
        var removed = false
        // From the newest down, so that removing an entry does not move the ones still to look at.
        for index in stride(from: history_length - 1, through: 0, by: -1) {
            guard let entry = history_get(history_base + index), let line = entry.pointee.line,
                matches(String(cString: line))
            else { continue }
            if let gone = remove_history(index) { _ = free_history_entry(gone) }
            removed = true
        }
        guard removed else { return }
        lastRecorded = nil
        if historyWritable, let history {
            _ = write_history(history.path)
        }
    }

    private func warnAboutHistoryOnce() {
        guard let warning = historyWarning else { return }
        historyWarning = nil
        FileHandle.standardError.write(Data((warning + "\n").utf8))
    }

    // MARK: Completion

    /// The matches for `word`: the completer's candidates that extend it, without duplicates, in its order.
    static func matches(line: String, word: String, completer: (String, String) -> [String]) -> [String] {
        var seen = Set<String>()
        return completer(line, word).filter { $0.hasPrefix(word) && seen.insert($0).inserted }
    }

    private func milliseconds(until deadline: ContinuousClock.Instant) -> Int32 {
        milliseconds(deadline - ContinuousClock.now)
    }

    private func milliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        return Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }
}

/// libedit calls this when a line is complete (`nil` for Ctrl-D on an empty line). The string is ours to free.
private let lineHandler: @convention(c) (UnsafeMutablePointer<CChar>?) -> Void = { line in
    if let line {
        LibEditLineReader.finishedLine = .line(String(cString: line))
        free(line)
    } else {
        fputs("\r\n", runbook_stdout())
        LibEditLineReader.finishedLine = .endOfInput
    }
}

/// libedit asks for the matches of `text`, the word between byte offsets `start` and `end` of the line.
private let attemptCompletion:
    @convention(c) (UnsafePointer<CChar>?, Int32, Int32) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = {
        text, _, _ in
        // Never fall back to libedit's file-name completion: the REPL's words are not file names.
        runbook_rl_set_completion_over(1)
        guard let text, let reader = LibEditLineReader.current, let completer = reader.completer else { return nil }
        runbook_rl_set_append_character(reader.completionAppendsSpace ? Int32(UInt8(ascii: " ")) : 0)
        let buffer = Array(String(cString: runbook_rl_line_buffer()).utf8)
        let line = String(decoding: buffer.prefix(Int(runbook_rl_point())), as: UTF8.self)
        let word = String(cString: text)
        LibEditLineReader.pendingMatches = LibEditLineReader.matches(line: line, word: word, completer: completer)
        LibEditLineReader.nextMatchIndex = 0
        guard !LibEditLineReader.pendingMatches.isEmpty else { return nil }
        return rl_completion_matches(text, nextMatch)
    }

/// Hands libedit the next pending match, malloc'd (libedit frees it).
private let nextMatch: @convention(c) (UnsafePointer<CChar>?, Int32) -> UnsafeMutablePointer<CChar>? = { _, _ in
    guard LibEditLineReader.nextMatchIndex < LibEditLineReader.pendingMatches.count else { return nil }
    defer { LibEditLineReader.nextMatchIndex += 1 }
    return strdup(LibEditLineReader.pendingMatches[LibEditLineReader.nextMatchIndex])
}
