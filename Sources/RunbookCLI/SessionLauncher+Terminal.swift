import Foundation

extension SessionLauncher {
    /// The line editor for a person at a terminal; `nil` when stdin is not one (scripted mode).
    // TEMPORARY: returns nil until `LibEditLineReader` lands on main; then it is returned when isatty(0).
    func makeTerminalReader() -> (any LineReading)? {
        nil
    }
}
