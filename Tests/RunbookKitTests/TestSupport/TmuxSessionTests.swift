import Foundation
import RunbookTestSupport
import Testing

/// A wait on a tmux screen fails loudly: it throws with the screen it saw.
@Suite(.ownThreads) struct TmuxSessionTests {
    @Test func aWaitThatTimesOutThrowsWithTheScreen() throws {
        let tmux = try TmuxSession("echo visible-line")
        try tmux.waitFor("[exited 0]")
        let error = try #require(throws: TmuxError.self) { try tmux.waitFor("never-shown", timeout: 0.3) }
        #expect(error.message.contains("\"never-shown\""), "\(error.message)")
        #expect(error.message.contains("visible-line"), "\(error.message)")
    }

    @Test func trailingSpacesAreTrimmedFromTheScreen() throws {
        let tmux = try TmuxSession("printf 'name? '; sleep 5")
        let screen = try tmux.waitFor("name?")
        #expect(!screen.contains("name? "))
    }
}
