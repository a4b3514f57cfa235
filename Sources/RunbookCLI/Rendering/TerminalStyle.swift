import Foundation

/// The one decision about what this process's terminal can do: colour, and a line editor. Every screen asks it
/// (the REPL's `SessionRenderer`, `show`, `list`, `lint`), so they never disagree.
///
/// Colour is on only when stdout is a terminal, `NO_COLOR` is unset or empty (https://no-color.org), and `TERM` is
/// not `dumb`. Meaning never rests on colour alone, so a plain transcript of the screen (a log file, a screen
/// reader, CI) reads the same.
public struct TerminalStyle: Sendable, Equatable {
    /// Whether ANSI colour sequences are written.
    public var usesColor: Bool
    /// Whether state marks are ASCII (`[ok]`, `[x]`, `[-]`) instead of Unicode (`✓`, `✗`, `–`): with `TERM=dumb`
    /// or `NO_COLOR`, whether or not stdout is a terminal (an editor's shell buffer, a log a plain tool reads).
    public var usesASCIIMarks: Bool

    /// A style with colour and marks chosen explicitly (tests).
    public init(usesColor: Bool, usesASCIIMarks: Bool = false) {
        self.usesColor = usesColor
        self.usesASCIIMarks = usesASCIIMarks
    }

    /// No colour, Unicode marks: what scripted mode and pipes get when neither `NO_COLOR` nor `TERM=dumb` is set.
    public static let plain = TerminalStyle(usesColor: false)

    /// The style for this process's stdout, from the environment.
    public static func detect(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        stdoutIsTerminal: Bool = isatty(STDOUT_FILENO) != 0
    ) -> TerminalStyle {
        let dumb = environment["TERM"] == "dumb"
        let noColor = !(environment["NO_COLOR"] ?? "").isEmpty
        return TerminalStyle(usesColor: stdoutIsTerminal && !noColor && !dumb, usesASCIIMarks: dumb || noColor)
    }

    /// A state mark the screens print; each has a Unicode and an ASCII form.
    public enum Mark: Sendable, CaseIterable {
        case done, failed, skipped, manual, warning, countdown, pending, pointer

        /// The Unicode form (a terminal that can show it).
        public var unicode: String {
            switch self {
            case .done: return "✓"
            case .failed: return "✗"
            case .skipped: return "–"
            case .manual: return "☐"
            case .warning: return "⚠"
            case .countdown: return "⏱"
            case .pending: return "·"
            case .pointer: return "›"
            }
        }

        /// The ASCII form (`TERM=dumb`, `NO_COLOR`).
        public var ascii: String {
            switch self {
            case .done: return "[ok]"
            case .failed: return "[x]"
            case .skipped: return "[-]"
            case .manual: return "[ ]"
            case .warning: return "[!]"
            case .countdown: return "[escalates in]"
            case .pending: return "."
            case .pointer: return ">"
            }
        }
    }

    /// `mark` as this terminal shows it.
    public func mark(_ mark: Mark) -> String {
        usesASCIIMarks ? mark.ascii : mark.unicode
    }

    /// Whether a line editor can serve this process: stdin and stdout are terminals and `TERM` is not `dumb`.
    ///
    /// libedit's callback mode never returns on a pipe, and with stdout redirected its redraws would land in
    /// the file; a `dumb` terminal (an editor's shell buffer) cannot move the cursor.
    public static func lineEditorIsUsable(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        stdinIsTerminal: Bool = isatty(STDIN_FILENO) != 0, stdoutIsTerminal: Bool = isatty(STDOUT_FILENO) != 0
    ) -> Bool {
        stdinIsTerminal && stdoutIsTerminal && environment["TERM"] != "dumb"
    }

    /// An SGR attribute; several combine (`.red, .bold`).
    public enum Color: String, Sendable {
        case bold = "1", dim = "2", red = "31", green = "32", yellow = "33", magenta = "35", cyan = "36"
        /// White on red, for a destructive risk.
        case redBackground = "1;37;41"
    }

    /// `text` in `colors` (unchanged without colour).
    public func paint(_ text: String, _ colors: Color...) -> String {
        paint(text, colors)
    }

    /// `text` in `colors` (unchanged without colour).
    public func paint(_ text: String, _ colors: [Color]) -> String {
        guard usesColor, !colors.isEmpty, !text.isEmpty else { return text }
        return "\u{1B}[\(colors.map(\.rawValue).joined(separator: ";"))m\(text)\u{1B}[0m"
    }

    /// `prompt` with every escape sequence not yet bracketed wrapped in \u{1}…\u{2}, for libedit: a prompt
    /// painted with `paint` still puts the cursor in the right column.
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
