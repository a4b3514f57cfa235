import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The `env -0` reader and the before/after difference that make a step's exports (docs/execution.md, "Exported
/// variables"), then both runners collecting them from a real bash.
@Suite struct EnvironmentChangesTests {
    /// `entries` as `env -0` writes them.
    func dump(_ entries: [String]) -> Data {
        Data(entries.map { $0 + "\0" }.joined().utf8)
    }

    @Test func valuesKeepNewlinesEqualsSignsAndEmptiness() {
        let parsed = EnvironmentChanges.parse(
            dump(["MULTI=line one\nline two\n", "URL=a=b==c", "EMPTY=", "PLAIN=x"]))
        #expect(parsed == ["MULTI": "line one\nline two\n", "URL": "a=b==c", "EMPTY": "", "PLAIN": "x"])
    }

    @Test func aLastEntryWithoutItsNulAndEntriesWithoutANameAreHandled() {
        let parsed = EnvironmentChanges.parse(Data("A=1\0=nameless\0noequals\0\0B=2".utf8))
        #expect(parsed == ["A": "1", "B": "2"])
        #expect(EnvironmentChanges.parse(Data()).isEmpty)
    }

    @Test func namesWithOddCharactersAreReadAsWritten() {
        // An environment can hold names no shell could export (inherited from a parent): the reader keeps them,
        // and the session refuses them as variable names.
        let parsed = EnvironmentChanges.parse(dump(["a-b=c", "%x=1", "ÜBER=2", "1ST=3"]))
        #expect(parsed == ["a-b": "c", "%x": "1", "ÜBER": "2", "1ST": "3"])
    }

    @Test func theDifferenceIsNewAndChangedVariablesAndUnsetOnes() {
        let changes = EnvironmentChanges(
            before: ["KEEP": "same", "CHANGE": "old", "GONE": "x", "SHLVL": "1", "PWD": "/a", "_": "/bin/bash"],
            after: ["KEEP": "same", "CHANGE": "new", "NEW": "", "SHLVL": "2", "PWD": "/b", "OLDPWD": "/a", "_": "/x"])
        #expect(changes.exported == ["CHANGE": "new", "NEW": ""])
        #expect(changes.unset == ["GONE"])
    }

    @Test func aHugeEnvironmentIsReadWhole() {
        var entries = (0..<20_000).map { "VARIABLE_\($0)=\(String(repeating: "v", count: 40))" }
        entries.append("BIG=" + String(repeating: "x", count: 1_000_000))
        let parsed = EnvironmentChanges.parse(dump(entries))
        #expect(parsed.count == 20_001)
        #expect(parsed["BIG"]?.count == 1_000_000)
        var after = parsed
        after["VARIABLE_19999"] = "changed"
        #expect(EnvironmentChanges(before: parsed, after: after).exported == ["VARIABLE_19999": "changed"])
    }

    // MARK: - Through a real shell

    func request(_ command: String, environment: [String: String] = testEnvironment) -> CommandRequest {
        var request = CommandRequest(command: command, environment: environment, killGrace: 0.5)
        request.collectsExports = true
        return request
    }

    func runners() -> [any CommandRunner] {
        [PipeCommandRunner(screen: nil), PTYCommandRunner(input: nil, screen: nil)]
    }

    @Test func bothRunnersReportWhatTheCommandExportedAndUnset() throws {
        var environment = testEnvironment
        environment["OLD_VARIABLE"] = "there"
        for runner in runners() {
            let sink = CollectingOutputSink()
            let result = try runner.run(
                request(
                    "export NS=openshift-monitoring; export MULTI=$'a\\nb=c'; export EMPTY=; NOT_EXPORTED=1;"
                        + " unset OLD_VARIABLE; cd /; echo done",
                    environment: environment),
                sink: sink)
            #expect(result.exitCode == 0)
            #expect(sink.text.contains("done"))
            let changes = try #require(result.environmentChanges, "\(type(of: runner))")
            #expect(changes.exported == ["NS": "openshift-monitoring", "MULTI": "a\nb=c", "EMPTY": ""])
            #expect(changes.unset == ["OLD_VARIABLE"])
        }
    }

    @Test func theCommandRunsAsApprovedAndItsStatusAndOutputAreUnchanged() throws {
        for runner in runners() {
            let sink = CollectingOutputSink()
            // `$0`, the positional parameters and BASH_EXECUTION_STRING are those of `bash -c COMMAND`.
            let result = try runner.run(
                request(#"echo "$0 $# [$BASH_EXECUTION_STRING] ${BASH_ENV-unset}"; export A=1; exit 7"#), sink: sink)
            #expect(result.exitCode == 7)
            #expect(
                sink.text.contains(
                    #"bash 0 [echo "$0 $# [$BASH_EXECUTION_STRING] ${BASH_ENV-unset}"; export A=1; exit 7] unset"#),
                "\(sink.text)")
            #expect(result.environmentChanges?.exported == ["A": "1"])
        }
    }

    @Test func optionsTheCommandSetsDoNotStopTheCollection() throws {
        // noclobber, errexit and nounset stay in force when the EXIT trap runs.
        let result = try PipeCommandRunner(screen: nil).run(
            request("set -Ceu; export A=1; false"), sink: CollectingOutputSink())
        #expect(result.exitCode == 1)
        #expect(result.environmentChanges?.exported == ["A": "1"])
    }

    @Test func aSignalStillEndsTheShellWithThatSignal() throws {
        let result = try PipeCommandRunner(screen: nil).run(
            request("export A=1; kill -TERM $$"), sink: CollectingOutputSink())
        #expect(result.signal == SIGTERM)
        #expect(result.exitCode == nil)
        #expect(result.environmentChanges?.exported == ["A": "1"])
    }

    @Test func scriptsTheCommandRunsDoNotSeeThePrelude() throws {
        let sink = CollectingOutputSink()
        let result = try PipeCommandRunner(screen: nil).run(
            request("export A=1; bash -c 'echo child ${BASH_ENV-none}; export B=2'"), sink: sink)
        #expect(sink.text == "child none\n")
        #expect(result.environmentChanges?.exported == ["A": "1"])
    }

    @Test func theResponderOwnBashEnvStillApplies() throws {
        let scratch = try ScratchDirectory()
        let own = scratch.path + "/own.sh"
        try "OWN_SOURCED=yes\n".write(toFile: own, atomically: true, encoding: .utf8)
        var environment = testEnvironment
        environment["BASH_ENV"] = own
        let sink = CollectingOutputSink()
        let result = try PipeCommandRunner(screen: nil).run(
            request(#"echo "$OWN_SOURCED $BASH_ENV"; export C=3"#, environment: environment), sink: sink)
        #expect(sink.text == "yes \(own)\n")
        #expect(result.environmentChanges?.exported == ["C": "3"])
    }

    @Test func nothingIsCollectedUnlessAskedOrWhenTheShellIsNotBash() throws {
        var plain = request("export A=1")
        plain.collectsExports = false
        #expect(try PipeCommandRunner(screen: nil).run(plain, sink: CollectingOutputSink()).environmentChanges == nil)
        var sh = request("export A=1")
        sh.shell = "sh"
        #expect(try PipeCommandRunner(screen: nil).run(sh, sink: CollectingOutputSink()).environmentChanges == nil)
    }

    @Test func thePrivateDirectoryIsRemovedAfterTheCommand() throws {
        let sink = CollectingOutputSink()
        // The shell unsets BASH_ENV before the command; the environment it was started with still names the prelude.
        let command = #"""
            prelude=$(tr '\0' '\n' < /proc/$$/environ | sed -n 's/^BASH_ENV=//p')
            stat -c '%a %n' "$(dirname "$prelude")" "$(dirname "$prelude")"/*; export A=1
            """#
        let result = try PipeCommandRunner(screen: nil).run(request(command), sink: sink)
        #expect(result.exitCode == 0)
        let lines = sink.text.split(separator: "\n")
        // The directory, then `after`, `before` and `prelude`: private while the command runs.
        #expect(lines.count == 4, "\(sink.text)")
        #expect(lines.first?.hasPrefix("700 ") == true, "\(sink.text)")
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix("600 ") }, "\(sink.text)")
        let directory = String(lines.first?.dropFirst(4) ?? "")
        #expect(directory.contains("runbook-env-"))
        #expect(!FileManager.default.fileExists(atPath: directory))
        #expect(result.environmentChanges?.exported["A"] == "1")
    }
}
