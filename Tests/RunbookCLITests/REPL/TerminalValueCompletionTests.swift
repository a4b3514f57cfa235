import Foundation
import RunbookTestSupport
import Testing

extension TerminalREPLTests {
    /// Tab at a variable prompt completes words of the last command's output, and never a command word.
    @Test func tabAtAVariablePromptCompletesFromTheLastOutputNotCommandWords() throws {
        let terminal = try Terminal()
        try terminal.reachFirstStep()
        try terminal.tmux.send("y", "Enter")
        // The command line shows the output's words too: wait for the result, then for the next step's prompt.
        try terminal.tmux.waitFor("exit 0")
        try terminal.tmux.waitFor("Find the failing pod")
        try terminal.waitFor(regex: #"#1 P1 staging \d\d:\d\d ›$"#)
        try terminal.tmux.send("set POD", literal: true)
        try terminal.tmux.send("Enter")
        try terminal.waitFor(regex: #"POD:$"#)
        try terminal.tmux.send("bac", literal: true)
        try terminal.tmux.send("Tab")
        try terminal.tmux.send("Tab")
        let screen = try terminal.waitFor(regex: #"POD: bac$"#)
        #expect(!screen.contains("POD: back"), "\(screen)")
        try terminal.tmux.send("C-u")
        try terminal.tmux.send("Cra", literal: true)
        try terminal.tmux.send("Tab")
        try terminal.waitFor(regex: #"POD: CrashLoopBackOff$"#)
        try terminal.tmux.send("C-u")
        try terminal.tmux.send("fixture-s", literal: true)
        try terminal.tmux.send("Tab")
        try terminal.waitFor(regex: #"POD: fixture-staging$"#)
        try terminal.tmux.send("Enter")
        try terminal.waitFor(regex: #"#1 P1 staging \d\d:\d\d ›$"#)
        try terminal.tmux.send("vars", literal: true)
        try terminal.tmux.send("Enter")
        try terminal.tmux.waitFor("POD=fixture-staging")
        // No space after a completed value: Enter follows, and the space would be part of it.
        #expect(
            try terminal.events().contains {
                $0.type == .variableSet && $0.payload["value"] == .string("fixture-staging")
            })
    }
}
