import Foundation

extension SessionLauncher {
    /// The line editor for a person at a terminal; `nil` when stdin or stdout is not one (scripted mode).
    func makeTerminalReader() -> (any LineReading)? {
        TerminalStyle.lineEditorIsUsable() ? LibEditLineReader() : nil
    }
}
