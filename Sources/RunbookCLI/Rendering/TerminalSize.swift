import CEditline

/// The size of the terminal in character cells, from the TIOCGWINSZ ioctl.
public struct TerminalSize: Sendable, Equatable {
    /// Width in columns.
    public var columns: Int
    /// Height in rows.
    public var rows: Int

    /// A size of `columns` × `rows`.
    public init(columns: Int, rows: Int) {
        self.columns = columns
        self.rows = rows
    }

    /// The size of the terminal on `fd`, or `nil` when `fd` is not a terminal (or reports no size, as some
    /// freshly made ptys do).
    public static func of(fileDescriptor fd: Int32) -> TerminalSize? {
        var columns: UInt16 = 0
        var rows: UInt16 = 0
        guard runbook_window_size(fd, &columns, &rows) == 0, columns > 0 else { return nil }
        return TerminalSize(columns: Int(columns), rows: Int(rows))
    }

    /// The size of the terminal on stdout, else on stdin; `nil` when neither is a terminal.
    public static func current() -> TerminalSize? {
        of(fileDescriptor: 1) ?? of(fileDescriptor: 0)
    }
}
