import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// A step's exports reach the steps after it, through the built binary (issue #18, docs/execution.md "Exported
/// variables"): recorded as `variable.set` with source `export`, a secret-looking one never stored in clear, and
/// restored by `resume`.
@Suite struct ExportedVariablesEndToEndTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/exports").path
    /// What `log-in` exports; no command text holds it.
    static let token = "tok-8c1f2e9d77"

    let database: String

    init() throws {
        database = try ScratchRunbooks("exports").database
    }

    func start(_ answers: String) throws -> BuiltBinary.Result {
        try BuiltBinary.run(
            ["start", "exports", "--env", "staging", "--runbooks", Self.fixtures, "--db", database], stdin: answers)
    }

    /// Every byte the store keeps: the database, its WAL and its journal, when present.
    func storedBytes() -> Data {
        var bytes = Data()
        for suffix in ["", "-wal", "-journal"] {
            bytes.append(FileManager.default.contents(atPath: database + suffix) ?? Data())
        }
        return bytes
    }

    @Test func aLaterStepSeesWhatAnEarlierOneExported() throws {
        let result = try start("y\ny\ny\nvars\nresolve done\n")
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("namespace=openshift-monitoring\n"), "\(result.stdout)")
        #expect(result.stdout.contains("token-length=\(Self.token.count)\n"), "\(result.stdout)")
        #expect(result.stdout.contains("two\nlines = one value\n"), "\(result.stdout)")
        #expect(
            result.stdout.contains("exported GREETING=two ⏎ lines = one value  NS=openshift-monitoring"),
            "\(result.stdout)")
        #expect(result.stdout.contains("exported API_TOKEN=••••••"), "\(result.stdout)")
        #expect(result.stdout.contains("  NS=openshift-monitoring  (exported)"), "\(result.stdout)")
        #expect(result.stdout.contains("  API_TOKEN=••••••  (secret, exported)"), "\(result.stdout)")
        #expect(!result.stdout.contains(Self.token), "\(result.stdout)")

        let events = try SQLiteTranscriptStore(path: database).events(incidentID: 1).filter { $0.type == .variableSet }
        #expect(events.map { $0.payload["name"]?.stringValue } == ["GREETING", "NS", "API_TOKEN"])
        #expect(events.allSatisfy { $0.payload["source"] == "export" })
        #expect(events.first { $0.payload["name"] == "NS" }?.payload["value"] == "openshift-monitoring")
        #expect(events.last?.payload["secret"] == true)
        #expect(events.last?.payload["value"] == nil)
        // Neither the event, the output nor anything else in the database holds the token.
        #expect(storedBytes().range(of: Data(Self.token.utf8)) == nil)

        let transcript = try BuiltBinary.run(["transcript", "1", "--db", database])
        #expect(transcript.status == 0, "\(transcript.stderr)")
        #expect(
            transcript.stdout.contains("NS = openshift-monitoring (exported by the command)"), "\(transcript.stdout)")
        #expect(transcript.stdout.contains("API_TOKEN = (secret) (exported by the command)"), "\(transcript.stdout)")
        let json = try BuiltBinary.run(["export", "1", "--format", "json", "-o", "-", "--db", database])
        #expect(json.status == 0, "\(json.stderr)")
        #expect(
            json.stdout.contains(
                """
                        "name": "NS",
                        "source": "export",
                        "value": "openshift-monitoring"
                """), "\(json.stdout)")
        #expect(!json.stdout.contains(Self.token))
    }

    @Test func resumeRestoresExportsAndAsksAgainForTheSecretOne() throws {
        let first = try start("y\ny\nq\n")
        #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")
        let resumed = try BuiltBinary.run(
            ["resume", "1", "--runbooks", Self.fixtures, "--db", database],
            stdin: "vars\n\(Self.token)\ny\nresolve done\n")
        #expect(resumed.status == 0, "\(resumed.stdout)\n\(resumed.stderr)")
        #expect(resumed.stdout.contains("you will be asked again for API_TOKEN"), "\(resumed.stdout)")
        #expect(resumed.stdout.contains("  NS=openshift-monitoring  (exported)"), "\(resumed.stdout)")
        #expect(resumed.stdout.contains("namespace=openshift-monitoring\n"), "\(resumed.stdout)")
        #expect(resumed.stdout.contains("token-length=\(Self.token.count)\n"), "\(resumed.stdout)")
        #expect(storedBytes().range(of: Data(Self.token.utf8)) == nil)
    }

    @Test func aSimulatedDrillPassesExportsOnToo() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        // `sh` commands run as steps do, with the simulator's environment (and its network namespace).
        let result = try BuiltBinary.run(
            [
                "drill", "--simulate", "outage", "--db", database, "--runbooks",
                root.appendingPathComponent("runbooks").path,
            ],
            stdin: "sh export NS=sim-ns\ny\nsh echo \"ns=$NS\"\ny\nabandon\n")
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("exported NS=sim-ns"), "\(result.stdout)")
        #expect(result.stdout.contains("ns=sim-ns\n"), "\(result.stdout)")
        let exported = try SQLiteTranscriptStore(path: database).events(incidentID: 1).filter {
            $0.type == .variableSet && $0.payload["source"] == "export"
        }
        #expect(exported.map { $0.payload["name"]?.stringValue } == ["NS"])
    }

    @Test func lintCountsExportsAsDeclaredForTheStepsAfter() throws {
        let clean = try BuiltBinary.run(["lint", Self.fixtures + "/exports.md"])
        #expect(clean.status == 0, "\(clean.stdout)\n\(clean.stderr)")
        #expect(!(clean.stdout + clean.stderr).contains("not declared"))
    }

    /// `NODE=$(…)` on its own line reaches the next block, as in a terminal; an assignment before a command
    /// (`KUBECONFIG_HINT=… true`) is only that command's and does not.
    @Test func aPlainAssignmentCarriesOverButAPrefixAssignmentDoesNot() throws {
        let result = try BuiltBinary.run(
            ["start", "carried", "--env", "staging", "--runbooks", Self.fixtures, "--db", database],
            stdin: "y\ny\nresolve done\n")
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("node=worker-1\n"), "\(result.stdout)")
        #expect(result.stdout.contains("prefix=unset\n"), "\(result.stdout)")
        let set = try SQLiteTranscriptStore(path: database).events(incidentID: 1).filter { $0.type == .variableSet }
        #expect(set.map { $0.payload["name"]?.stringValue } == ["NODE"])
        #expect(set.first?.payload["value"] == "worker-1")

        // Lint reads the same way: NODE is set for the step after, the prefix assignment is not.
        let lint = try BuiltBinary.run(["lint", Self.fixtures + "/carried.md"])
        let findings = lint.stdout + lint.stderr
        #expect(findings.contains("carried.md:19:14: warning: `$KUBECONFIG_HINT` is not declared"), "\(findings)")
        #expect(!findings.contains("$NODE"), "\(findings)")
    }

    /// `$NS` that nothing declares or sets is asked for before the step is shown, not run empty.
    @Test func anUndeclaredVariableIsAskedForBeforeTheStepRuns() throws {
        let result = try BuiltBinary.run(
            ["start", "undeclared", "--env", "staging", "--runbooks", Self.fixtures, "--db", database],
            stdin: "openshift-monitoring\ny\nresolve done\n")
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("NS (not declared by the runbook; this step reads it): "), "\(result.stdout)")
        #expect(result.stdout.contains("namespace=openshift-monitoring\n"), "\(result.stdout)")
    }
}
