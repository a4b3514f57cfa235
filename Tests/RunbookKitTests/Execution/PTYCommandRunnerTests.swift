import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct PTYCommandRunnerTests {
    let runner = PTYCommandRunner(input: nil, screen: nil)

    func run(_ command: String, environment: [String: String] = testEnvironment, timeout: TimeInterval? = nil)
        throws -> (CommandResult, CollectingOutputSink)
    {
        let sink = CollectingOutputSink()
        let request = CommandRequest(
            command: command, environment: environment, timeout: timeout, killGrace: 0.5)
        return (try runner.run(request, sink: sink), sink)
    }

    @Test func exitCodeIsAResult() throws {
        let (result, _) = try run("exit 3")
        #expect(result.exitCode == 3)
        #expect(result.signal == nil)
        #expect(!result.timedOut)
    }

    @Test func signalThatEndedTheCommandIsReported() throws {
        let (result, _) = try run("kill -USR1 $$")
        #expect(result.exitCode == nil)
        #expect(result.signal == SIGUSR1)
    }

    @Test func childHasAControllingTerminal() throws {
        let (result, sink) = try run("tty && test -t 0 && test -t 1 && echo ok")
        #expect(result.exitCode == 0)
        #expect(sink.text.hasPrefix("/dev/pts/"))
        #expect(sink.text.hasSuffix("ok\n"))
    }

    @Test func aNetworkIsolatedChildKeepsItsControllingTerminalAndSeesOnlyTheLoopback() throws {
        let sink = CollectingOutputSink()
        // /proc/net/dev lists the interfaces of the process's own network namespace (sysfs shows the host's).
        let request = CommandRequest(
            command: "tty && test -t 0 && tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '",
            environment: testEnvironment, killGrace: 0.5, isolation: .network)
        let result = try runner.run(request, sink: sink)
        #expect(result.exitCode == 0, "\(sink.text)")
        #expect(sink.text.hasPrefix("/dev/pts/"))
        #expect(sink.text.hasSuffix("\nlo\n"), "\(sink.text)")
    }

    @Test func transcriptGetsPlainNewlinesNotTerminalTranslation() throws {
        let (_, sink) = try run("printf 'one\\ntwo\\n'")
        #expect(sink.data == Data("one\ntwo\n".utf8))
    }

    @Test func readIsAnsweredThroughTheTerminal() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let answer = "blue\n"
        _ = answer.withCString { write(fds[1], $0, strlen($0)) }
        close(fds[1])
        defer { close(fds[0]) }
        let runner = PTYCommandRunner(input: fds[0], screen: nil)
        let sink = CollectingOutputSink()
        let result = try runner.run(
            CommandRequest(
                command: "printf 'colour? '; read -r colour; echo \"got:$colour\"", environment: testEnvironment),
            sink: sink)
        #expect(result.exitCode == 0)
        #expect(sink.text.contains("got:blue"))
    }

    @Test func childSeesAWindowSize() throws {
        let (result, sink) = try run("stty size")
        #expect(result.exitCode == 0)
        #expect(sink.text == "24 80\n")
    }

    @Test func outputByteCountAndBinaryBytesArePreserved() throws {
        let (result, sink) = try run("printf '\\000\\377\\200abc\\n'; head -c 1000000 /dev/zero")
        #expect(result.outputBytes == 7 + 1_000_000)
        #expect(sink.data.prefix(7) == Data([0, 0xFF, 0x80, 0x61, 0x62, 0x63, 0x0A]))
        #expect(sink.data.count == 1_000_007)
    }

    @Test func chunksCarryIncreasingTimeOffsets() throws {
        let (_, sink) = try run("echo a; sleep 0.2; echo b")
        let offsets = sink.chunks.map(\.offset)
        #expect(offsets == offsets.sorted())
        #expect((offsets.last ?? 0) >= 0.15)
    }

    @Test func timeoutKillsTheWholeProcessGroup() throws {
        let scratch = try ScratchDirectory()
        let pids = scratch.path + "/pids"
        let command = """
            (trap '' TERM HUP; exec sleep 301) & echo $! > \(pids)
            sleep 302 & echo $! >> \(pids)
            echo started; wait
            """
        let (result, sink) = try run(command, timeout: 0.5)
        #expect(result.timedOut)
        #expect(result.signal == SIGTERM)
        #expect(sink.text.contains("started"))
        let children = try String(contentsOfFile: pids, encoding: .utf8).split(separator: "\n").compactMap {
            Int32($0)
        }
        #expect(children.count == 2)
        for child in children { #expect(processIsGone(child, within: 2), "pid \(child) survived the timeout") }
    }

    @Test func workingDirectoryAndEnvironmentReachTheChild() throws {
        let scratch = try ScratchDirectory()
        var environment = testEnvironment
        environment["GREETING"] = "hello there"
        let sink = CollectingOutputSink()
        let result = try runner.run(
            CommandRequest(
                command: "pwd; echo \"$GREETING\"", environment: environment, workingDirectory: scratch.path),
            sink: sink)
        #expect(result.exitCode == 0)
        let real = URL(fileURLWithPath: scratch.path).resolvingSymlinksInPath().path
        #expect(sink.text == "\(real)\nhello there\n")
    }

    @Test func missingShellIsAClearError() throws {
        #expect(throws: ExecutionError.self) {
            try runner.run(CommandRequest(command: "true", shell: "/nonexistent/sh"), sink: CollectingOutputSink())
        }
        #expect(throws: ExecutionError.self) {
            try runner.run(
                CommandRequest(command: "true", shell: "no-such-shell-xyz", environment: testEnvironment),
                sink: CollectingOutputSink())
        }
    }

    @Test func missingWorkingDirectoryIsAClearError() throws {
        let error = #expect(throws: ExecutionError.self) {
            try runner.run(
                CommandRequest(command: "true", environment: testEnvironment, workingDirectory: "/nonexistent/dir"),
                sink: CollectingOutputSink())
        }
        #expect(error?.exitStatus == .refused)
        #expect(error?.description.contains("/nonexistent/dir") == true)
    }
}
