import Foundation
import RunbookTestSupport
import Testing

@testable import RunbookCLI

extension TerminalREPLTests {
    /// At 60 columns the step screen and the help wrap at word boundaries: every word stays whole on one line.
    @Test func proseWrapsAtWordBoundariesAt60Columns() throws {
        let terminal = try Terminal(width: 60, height: 200)
        try terminal.reachFirstStep()
        var screen = try terminal.tmux.capture()
        for word in ["y/yes/run", "e/edit", "s/skip", "n/note", "b/back", "?/help", "q/quit"] {
            #expect(screen.contains(word), "`\(word)` was split:\n\(screen)")
        }
        try terminal.tmux.send("?", "Enter")
        screen = try terminal.tmux.waitFor("=VALUE enters a value")
        expectEveryWordOfTheHelpWhole(on: screen)
    }

    /// The terminal folds a line wider than the window: a folded word is on two rows, so it is not on the screen.
    func expectEveryWordOfTheHelpWhole(on screen: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let words = Set(REPLCommand.help.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
        for word in words.sorted() {
            #expect(screen.contains(word), "`\(word)` was split:\n\(screen)", sourceLocation: sourceLocation)
        }
    }

    /// After the window shrinks to 60 columns (SIGWINCH), the next screen wraps to 60, and a typed line that wrapped
    /// and is then shortened, while the prompt's clock redraws it every second, leaves no stray row.
    @Test func aResizedWindowGetsProseOfItsWidthAndAShortenedWrappedLineLeavesNoStrayRow() throws {
        let terminal = try Terminal(width: 100, height: 200)
        try terminal.reachFirstStep()
        try terminal.tmux.resize(width: 60, height: 200)
        try terminal.tmux.send("?", "Enter")
        expectEveryWordOfTheHelpWhole(on: try terminal.tmux.waitFor("=VALUE enters a value"))
        try terminal.tmux.send("note " + String(repeating: "wrap ", count: 12) + "end", literal: true)
        try terminal.waitFor(regex: #"wrap end$"#)
        for _ in 0..<39 { try terminal.tmux.send("BSpace") }
        try terminal.waitFor(regex: #"#1 P1 staging \d\d:\d\d › note wrap wrap wrap wrap wrap$"#)
        // Two clock ticks redraw the line; nothing of the longer line may be left below it.
        try terminal.waitFor(regex: #"#1 P1 staging 00:\d[02468] › note wrap wrap wrap wrap wrap$"#)
        try terminal.waitFor(regex: #"#1 P1 staging 00:\d[13579] › note wrap wrap wrap wrap wrap$"#)
        let last = try terminal.lastLine()
        let screenNow = try terminal.tmux.capture()
        #expect(last.hasSuffix("› note wrap wrap wrap wrap wrap"), "a stray row:\n\(screenNow)")
    }

    /// A simulated drill at 60 columns: its header, the notice that nobody is notified and the escalator warning
    /// wrap at word boundaries (`simulator:⏎ outage`, `confi⏎gured` were cut at the edge).
    @Test func aDrillsHeaderAndNoticesWrapAtWordBoundariesAt60Columns() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("runbook-tmux-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let root = BuiltBinary.packageRoot.path
        let command = [
            BuiltBinary.path, "drill", "triage", "--simulate", "outage", "--no-isolation", "--env", "staging",
            "--runbooks", root + "/runbooks", "--db", directory.appendingPathComponent("t.sqlite3").path,
        ].map(TmuxSession.quote).joined(separator: " ")
        let tmux = try TmuxSession(
            command, width: 60, height: 60, directory: directory.path,
            environment: ["RUNBOOK_HISTORY": directory.appendingPathComponent("history").path, "LANG": "C.UTF-8"])
        defer { tmux.kill() }
        let screen = try tmux.waitFor("?/help")
        for words in ["simulator: outage", "configured", "notified", "(--no-isolation)", "escalator"] {
            #expect(screen.contains(words), "`\(words)` was split:\n\(screen)")
        }
    }
}
