import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct PipeCommandRunnerTests {
    let runner = PipeCommandRunner(screen: nil)

    func run(_ command: String, environment: [String: String] = testEnvironment, timeout: TimeInterval? = nil)
        throws -> (CommandResult, CollectingOutputSink)
    {
        let sink = CollectingOutputSink()
        let request = CommandRequest(command: command, environment: environment, timeout: timeout, killGrace: 0.5)
        return (try runner.run(request, sink: sink), sink)
    }

    @Test func exitCodeAndSignalAreResults() throws {
        #expect(try run("exit 42").0.exitCode == 42)
        let (killed, _) = try run("kill -KILL $$")
        #expect(killed.signal == SIGKILL)
        #expect(killed.exitCode == nil)
    }

    @Test func stdoutAndStderrShareOneStreamInOrder() throws {
        let (_, sink) = try run("echo out; echo err >&2; echo out2")
        #expect(sink.text == "out\nerr\nout2\n")
    }

    @Test func stdinIsClosedUnlessTheStepIsInteractive() throws {
        let (result, sink) = try run("cat; echo done; test -t 0 || echo notty")
        #expect(result.exitCode == 0)
        #expect(sink.text == "done\nnotty\n")
    }

    @Test func interactiveStepReadsTheGivenInput() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        _ = "yes\n".withCString { write(fds[1], $0, 4) }
        close(fds[1])
        defer { close(fds[0]) }
        let sink = CollectingOutputSink()
        let result = try PipeCommandRunner(input: fds[0], screen: nil).run(
            CommandRequest(
                command: "read -r answer; echo \"answer=$answer\"", environment: testEnvironment,
                interactive: true),
            sink: sink)
        #expect(result.exitCode == 0)
        #expect(sink.text == "answer=yes\n")
    }

    @Test func timeoutKillsTheWholeProcessGroupAfterTheGracePeriod() throws {
        let scratch = try ScratchDirectory()
        let pids = scratch.path + "/pids"
        // Without a terminal there is no SIGHUP: the TERM-ignoring child only dies of the SIGKILL.
        let command = """
            (trap '' TERM; exec sleep 303) & echo $! > \(pids)
            sleep 304 & echo $! >> \(pids)
            echo started; wait
            """
        let (result, sink) = try run(command, timeout: 0.3)
        #expect(result.timedOut)
        #expect(result.duration >= 0.3 + 0.5 - 0.05)
        #expect(sink.text == "started\n")
        let children = try String(contentsOfFile: pids, encoding: .utf8).split(separator: "\n").compactMap {
            Int32($0)
        }
        #expect(children.count == 2)
        for child in children { #expect(processIsGone(child, within: 2), "pid \(child) survived the timeout") }
    }

    @Test func commandThatFinishesInTimeIsNotMarkedTimedOut() throws {
        let (result, _) = try run("echo quick", timeout: 10)
        #expect(!result.timedOut)
        #expect(result.exitCode == 0)
        #expect(result.duration < 5)
    }

    @Test func screenGetsTheOutputAsWell() throws {
        let screen = ScreenCapture()
        let sink = CollectingOutputSink()
        _ = try PipeCommandRunner(screen: screen.writeEnd).run(
            CommandRequest(command: "echo visible", environment: testEnvironment), sink: sink)
        #expect(String(decoding: screen.finish(), as: UTF8.self) == "visible\n")
        #expect(sink.text == "visible\n")
    }

    @Test func missingShellIsAClearError() throws {
        let error = #expect(throws: ExecutionError.self) {
            try runner.run(
                CommandRequest(command: "true", shell: "/no/such/bash", environment: testEnvironment),
                sink: CollectingOutputSink())
        }
        #expect(error?.exitStatus == .refused)
        #expect(error?.summary.contains("/no/such/bash") == true)
    }
}

@Suite struct VariableInjectionTests {
    static let hostile = [
        "$(touch MARKER)", "`touch MARKER`", "; touch MARKER", "' ; touch MARKER ; '", "\" ; touch MARKER ; \"",
        "x\ntouch MARKER", "| touch MARKER", "&& touch MARKER", "$(rm -rf x)", "${IFS}touch${IFS}MARKER",
    ]

    @Test(arguments: [true, false])
    func hostileValuesStayInert(usePTY: Bool) throws {
        let scratch = try ScratchDirectory()
        let marker = "/tmp/pwned-\(UUID().uuidString)"
        var environment = testEnvironment
        var names: [String] = []
        for (index, value) in Self.hostile.enumerated() {
            environment["VALUE_\(index)"] = value.replacingOccurrences(of: "MARKER", with: marker)
            names.append("VALUE_\(index)")
        }
        try Data("keep".utf8).write(to: URL(fileURLWithPath: scratch.path + "/x"))
        // Quoted and unquoted expansions, printf and eval-free use: none of them may run the value.
        let command = names.map { "echo \"$\($0)\"; printf '%s\\n' $\($0)" }.joined(separator: "; ")
        let runner: any CommandRunner =
            usePTY ? PTYCommandRunner(input: nil, screen: nil) : PipeCommandRunner(screen: nil)
        let sink = CollectingOutputSink()
        let result = try runner.run(
            CommandRequest(command: command, environment: environment, workingDirectory: scratch.path), sink: sink)
        #expect(result.exitCode == 0)
        #expect(!FileManager.default.fileExists(atPath: marker))
        #expect(FileManager.default.fileExists(atPath: scratch.path + "/x"))
        #expect(sink.text.contains("$(touch \(marker))"))
        #expect(sink.text.contains("; touch \(marker)"))
    }
}
