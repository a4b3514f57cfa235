import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The responder's own terminal while a command runs in a pseudo-terminal: raw input, so every keystroke
/// (Ctrl-C included, as byte 0x03) goes to the child, and the saved settings put back afterwards.
struct TerminalMode {
    /// The descriptor whose settings were changed.
    let descriptor: Int32
    /// The settings to put back.
    let saved: termios

    /// The settings of `descriptor`, or `nil` when it is not a terminal.
    static func current(of descriptor: Int32) -> termios? {
        guard isatty(descriptor) == 1 else { return nil }
        var settings = termios()
        return tcgetattr(descriptor, &settings) == 0 ? settings : nil
    }

    /// Switches `descriptor` to raw input. Output post-processing stays on, so the outer terminal still turns
    /// the child's `\n` into `\r\n` (the child's own terminal has it off, see `PTYCommandRunner`).
    static func enterRaw(_ descriptor: Int32, from saved: termios) -> TerminalMode? {
        var raw = saved
        cfmakeraw(&raw)
        raw.c_oflag = saved.c_oflag
        guard tcsetattr(descriptor, TCSANOW, &raw) == 0 else { return nil }
        return TerminalMode(descriptor: descriptor, saved: saved)
    }

    /// Puts the saved settings back; `TCSAFLUSH` is avoided so type-ahead for the next prompt survives.
    func restore() {
        var settings = saved
        _ = tcsetattr(descriptor, TCSANOW, &settings)
    }

    /// The window size of the first terminal among `descriptors`.
    static func windowSize(of descriptors: [Int32?]) -> winsize? {
        for case let descriptor? in descriptors where isatty(descriptor) == 1 {
            var size = winsize()
            if ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_row > 0, size.ws_col > 0 { return size }
        }
        return nil
    }
}
