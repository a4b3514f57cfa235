import Foundation

/// Colours and symbols that make a step's state obvious at a glance, with a plain fallback.
///
/// Colour is on only when stdout is a terminal, `NO_COLOR` is unset or empty (https://no-color.org), and `TERM` is
/// not `dumb`. Symbols are Unicode unless `TERM` is `dumb`; meaning never rests on colour alone, so a plain
/// transcript of the screen (a log file, a screen reader, CI) reads the same.
public struct TerminalStyle: Sendable, Equatable {
    /// Whether ANSI colour sequences are written.
    public var usesColor: Bool
    /// Whether marks are Unicode symbols (✔ ↷ ✘ ⚠ ⏱) rather than ASCII words.
    public var usesUnicode: Bool

    /// A style with colour and symbols chosen explicitly (tests, `--no-color`).
    public init(usesColor: Bool, usesUnicode: Bool = true) {
        self.usesColor = usesColor
        self.usesUnicode = usesUnicode
    }

    /// No colour, Unicode symbols: what scripted mode and `NO_COLOR` get.
    public static let plain = TerminalStyle(usesColor: false)

    /// The style for this process's stdout, from the environment.
    public static func detect(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        stdoutIsTerminal: Bool = isatty(STDOUT_FILENO) != 0
    ) -> TerminalStyle {
        let dumb = environment["TERM"] == "dumb"
        let noColor = !(environment["NO_COLOR"] ?? "").isEmpty
        return TerminalStyle(usesColor: stdoutIsTerminal && !noColor && !dumb, usesUnicode: !dumb)
    }

    /// What a piece of text means on screen; each role has one colour.
    public enum Role: Sendable, CaseIterable {
        /// A step that ran and met its expectation.
        case done
        /// A step the responder skipped.
        case skipped
        /// A step that failed or did not meet its expectation.
        case failed
        /// A destructive command, or a warning about one.
        case destructive
        /// The escalation countdown.
        case countdown
        /// Something that needs attention but is not dangerous (an overdue timer, a lint finding).
        case warning
        /// A step's title.
        case heading
        /// A command exactly as it will run.
        case command
        /// Secondary detail (timestamps, hints).
        case muted

        var sgr: String {
            switch self {
            case .done: "32"
            case .skipped: "33"
            case .failed: "31"
            case .destructive: "1;97;41"
            case .countdown: "36"
            case .warning: "1;33"
            case .heading: "1"
            case .command: "1;36"
            case .muted: "2"
            }
        }
    }

    /// A state mark shown before a step or a timer.
    public enum Mark: Sendable, CaseIterable {
        /// ✔ the step ran as expected.
        case done
        /// ↷ the step was skipped.
        case skipped
        /// ✘ the step failed.
        case failed
        /// ⚠ the command is destructive.
        case destructive
        /// ⏱ time left before escalation.
        case countdown

        /// The role whose colour the mark takes.
        public var role: Role {
            switch self {
            case .done: .done
            case .skipped: .skipped
            case .failed: .failed
            case .destructive: .destructive
            case .countdown: .countdown
            }
        }
    }

    /// The symbol for `mark`: Unicode, or an ASCII word of the same meaning.
    public func symbol(_ mark: Mark) -> String {
        switch (mark, usesUnicode) {
        case (.done, true): "✔"
        case (.skipped, true): "↷"
        case (.failed, true): "✘"
        case (.destructive, true): "⚠"
        case (.countdown, true): "⏱"
        case (.done, false): "[done]"
        case (.skipped, false): "[skipped]"
        case (.failed, false): "[FAILED]"
        case (.destructive, false): "[DESTRUCTIVE]"
        case (.countdown, false): "[timer]"
        }
    }

    /// `text` in the colour of `role` (unchanged without colour).
    public func paint(_ text: String, _ role: Role) -> String {
        guard usesColor, !text.isEmpty else { return text }
        return "\u{1B}[\(role.sgr)m\(text)\u{1B}[0m"
    }

    /// The mark's symbol, then `text`, both in the mark's colour: `✔ check-pods`.
    public func marked(_ mark: Mark, _ text: String) -> String {
        paint(text.isEmpty ? symbol(mark) : symbol(mark) + " " + text, mark.role)
    }

    /// Like `paint`, for text inside a libedit prompt: the escape sequences are bracketed with \u{1} and \u{2}
    /// so the line editor does not count them as columns (otherwise the cursor lands in the wrong place).
    public func paintForPrompt(_ text: String, _ role: Role) -> String {
        guard usesColor, !text.isEmpty else { return text }
        return "\u{1}\u{1B}[\(role.sgr)m\u{2}\(text)\u{1}\u{1B}[0m\u{2}"
    }

    /// `prompt` with every escape sequence not yet bracketed wrapped in \u{1}…\u{2}, for libedit: a prompt
    /// painted with `paint` instead of `paintForPrompt` still puts the cursor in the right column.
    public static func bracketingEscapes(_ prompt: String) -> String {
        var result = String.UnicodeScalarView()
        var inBracket = false
        var inEscape = false
        var sawIntroducer = false
        for scalar in prompt.unicodeScalars {
            if inEscape {
                result.append(scalar)
                if !sawIntroducer && scalar == "[" {
                    sawIntroducer = true
                    continue
                }
                // A CSI sequence (ESC [ …) ends with a byte in @…~; other escapes are ESC and one character.
                if !sawIntroducer || (0x40...0x7E).contains(scalar.value) {
                    inEscape = false
                    result.append("\u{2}")
                }
                continue
            }
            switch scalar.value {
            case 0x01: inBracket = true
            case 0x02: inBracket = false
            case 0x1B where !inBracket:
                result.append("\u{1}")
                inEscape = true
                sawIntroducer = false
            default: break
            }
            result.append(scalar)
        }
        if inEscape { result.append("\u{2}") }
        return String(result)
    }

    /// How many columns `text` takes on a terminal: escape sequences and prompt brackets take none, combining
    /// marks none, East Asian wide characters and emoji two.
    public static func displayWidth(_ text: String) -> Int {
        var width = 0
        var inPromptBracket = false
        var escape: EscapeState = .none
        for scalar in text.unicodeScalars {
            if inPromptBracket {
                if scalar.value == 0x02 { inPromptBracket = false }
                continue
            }
            switch escape {
            case .introduced:
                escape = scalar == "[" ? .controlSequence : .none
                continue
            case .controlSequence:
                // A CSI sequence (ESC [ …) ends with a byte in @…~.
                if (0x40...0x7E).contains(scalar.value) { escape = .none }
                continue
            case .none:
                break
            }
            switch scalar.value {
            case 0x01: inPromptBracket = true
            case 0x1B: escape = .introduced
            default: width += columns(of: scalar)
            }
        }
        return width
    }

    private enum EscapeState { case none, introduced, controlSequence }

    private static func columns(of scalar: Unicode.Scalar) -> Int {
        let value = scalar.value
        if value < 0x20 || (0x7F..<0xA0).contains(value) { return 0 }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if scalar.properties.isEmojiPresentation { return 2 }
        let wide: [ClosedRange<UInt32>] = [
            0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
            0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
            0x20000...0x3FFFD,
        ]
        return wide.contains { $0.contains(value) } ? 2 : 1
    }
}
