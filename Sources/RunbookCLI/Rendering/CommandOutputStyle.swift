import Foundation

/// ANSI styling for command output: on only when standard output is a terminal and `NO_COLOR` is unset,
/// so pipes, files and golden tests always get plain text.
struct CommandOutputStyle {
    let enabled: Bool

    /// Decides from the process's environment and standard output.
    static func forStandardOutput() -> CommandOutputStyle {
        CommandOutputStyle(
            enabled: isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil)
    }

    private func wrap(_ text: String, _ code: String) -> String {
        enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    func bold(_ text: String) -> String { wrap(text, "1") }
    func dim(_ text: String) -> String { wrap(text, "2") }
    func red(_ text: String) -> String { wrap(text, "31") }
    func green(_ text: String) -> String { wrap(text, "32") }
    func yellow(_ text: String) -> String { wrap(text, "33") }
    func cyan(_ text: String) -> String { wrap(text, "36") }
}
