import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// A runbooks directory with subdirectories, as teams keep them in Git: recursive `lint` and `list`, ids that are
/// paths, links across subdirectories, addressing by id or path, and the escalation policy's fallback, through
/// the built binary.
@Suite struct NestedRunbooksEndToEndTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/nested").path

    /// The fixture tree copied into a scratch directory, for tests that add to it.
    func scratchCopy(_ prefix: String) throws -> ScratchRunbooks {
        let scratch = try ScratchRunbooks(prefix)
        try FileManager.default.removeItem(at: scratch.runbooks)
        try FileManager.default.copyItem(atPath: Self.fixtures, toPath: scratch.runbooks.path)
        return scratch
    }

    func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws
        -> BuiltBinary.Result
    {
        try BuiltBinary.run(arguments, stdin: stdin, environment: environment)
    }

    // MARK: lint and list

    @Test func lintReadsSubdirectoriesAndSkipsHiddenOnesAndNodeModules() throws {
        // `.drafts/` and `node_modules/` hold files that would be errors, and a refused file: never read.
        let result = try run(["lint", "--strict", Self.fixtures])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(
            result.stdout
                == "\(BuiltBinary.noEscalationPolicyNote(Self.fixtures))6 files checked, no problems (1 note)\n")
    }

    @Test func aFindingInASubdirectoryFailsLint() throws {
        let scratch = try scratchCopy("nested-lint")
        let broken = scratch.runbooks.appendingPathComponent("alerts/db/Broken.md")
        try Data("# Broken\n\n- [Missing helper](../../helpers/missing.md)\n".utf8).write(to: broken)
        let result = try run(["lint", scratch.runbooks.path])
        #expect(result.status == 1, "\(result.stdout)\n\(result.stderr)")
        let resolved = scratch.runbooks.path + "/helpers/missing.md"
        #expect(
            result.stdout.contains(
                "\(broken.path):3:1: error: link to missing runbook `../../helpers/missing.md` (\(resolved))"),
            "\(result.stdout)")
        #expect(result.stdout.contains("1 error and 0 warnings in 7 files"))
    }

    @Test func lintOfAMissingPathIsAUsageErrorThatNamesIt() throws {
        let result = try run(["lint", "/nonexistent/openshift-runbooks/"])
        #expect(result.status == 2)
        #expect(
            result.stderr.contains("no such file or directory: /nonexistent/openshift-runbooks/"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        // With no path, the runbooks directory is checked: when it is missing, that is what is said.
        let scratch = try ScratchRunbooks("nested-nodir")
        let none = try BuiltBinary.run(["lint"], currentDirectory: scratch.runbooks)
        #expect(none.status == 2)
        #expect(none.stderr.hasPrefix("error: runbooks directory not found: runbooks"), "\(none.stderr)")
    }

    @Test func lintOfADirectoryWithoutRunbooksIsAUsageErrorNotAPass() throws {
        let scratch = try ScratchRunbooks("nested-empty")
        try Data("# Only a readme\n".utf8).write(to: scratch.runbooks.appendingPathComponent("README.md"))
        try FileManager.default.createDirectory(
            at: scratch.runbooks.appendingPathComponent(".hidden"), withIntermediateDirectories: true)
        try Data("# Hidden\n".utf8).write(to: scratch.runbooks.appendingPathComponent(".hidden/x.md"))
        let result = try run(["lint", scratch.runbooks.path])
        #expect(result.status == 2, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains("no runbooks in \(scratch.runbooks.path): it holds no *.md files"))
    }

    @Test func lintTakesARunbookIDAndSuggestsOneForATypo() throws {
        let byID = try run(["lint", "DatabaseDown", "--runbooks", Self.fixtures])
        #expect(byID.status == 0, "\(byID.stdout)\n\(byID.stderr)")
        #expect(byID.stdout == "1 file checked, no problems\n")
        let typo = try run(["lint", "DatabseDown", "--runbooks", Self.fixtures])
        #expect(typo.status == 2)
        #expect(typo.stderr.contains("did you mean `alerts/db/DatabaseDown`?"), "\(typo.stderr)")
        let ambiguous = try run(["lint", "Status", "--runbooks", Self.fixtures])
        #expect(ambiguous.status == 2)
        #expect(
            ambiguous.stderr.contains("use the full id: alerts/api/Status, alerts/db/Status"), "\(ambiguous.stderr)")
    }

    @Test func listShowsNestedIDs() throws {
        let result = try run(["list", "--format", "json"], environment: ["RUNBOOK_DIR": Self.fixtures])
        #expect(result.status == 0, "\(result.stderr)")
        let list = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]]
        #expect(
            list?.map { $0["id"] as? String } == [
                "alerts/api/PodCrashLooping", "alerts/api/Status", "alerts/db/DatabaseDown", "alerts/db/Status",
                "helpers/podDebug", "triage",
            ])
    }

    // MARK: addressing

    @Test func showTakesANestedIDAShortIDOrAPath() throws {
        let relative = "Tests/RunbookCLITests/Fixtures/nested/alerts/db/DatabaseDown.md"
        for argument in [
            "alerts/db/DatabaseDown", "DatabaseDown", "DatabaseDown.md", relative,
            Self.fixtures + "/alerts/db/DatabaseDown.md",
        ] {
            let result = try run(["show", argument, "--runbooks", Self.fixtures])
            #expect(result.status == 0, "\(argument): \(result.stderr)")
            #expect(result.stdout.contains("Database down"), "\(argument)")
        }
        // A path needs no --runbooks at all: before, `show a.md` looked in ./runbooks.
        let scratch = try ScratchRunbooks("nested-show")
        try Data("# Somewhere else\n".utf8).write(to: scratch.directory.appendingPathComponent("a.md"))
        let elsewhere = try BuiltBinary.run(["show", "a.md"], currentDirectory: scratch.directory)
        #expect(elsewhere.status == 0, "\(elsewhere.stderr)")
        #expect(elsewhere.stdout.contains("Somewhere else"))
    }

    @Test func showOfAnAmbiguousOrMistypedIDSaysWhatToType() throws {
        let ambiguous = try run(["show", "Status", "--runbooks", Self.fixtures])
        #expect(ambiguous.status == 2)
        #expect(ambiguous.stderr.contains("`Status` names 2 runbooks"), "\(ambiguous.stderr)")
        #expect(ambiguous.stderr.contains("alerts/api/Status, alerts/db/Status"))
        let typo = try run(["show", "podDebg", "--runbooks", Self.fixtures])
        #expect(typo.status == 2)
        #expect(typo.stderr.contains("did you mean `helpers/podDebug`?"), "\(typo.stderr)")
        let missing = try run(["show", "./nowhere/x.md", "--runbooks", Self.fixtures])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no such runbook file: ./nowhere/x.md"), "\(missing.stderr)")
    }

    @Test func startAndDrillOfAMistypedIDSuggestTheClosestAndRecordNothing() throws {
        let scratch = try ScratchRunbooks("nested-typo")
        for command in ["start", "drill"] {
            let result = try run(
                [command, "DatabseDown", "--env", "staging", "--runbooks", Self.fixtures, "--db", scratch.database],
                stdin: "q\n")
            #expect(result.status == 2, "\(command): \(result.stdout)\n\(result.stderr)")
            #expect(result.stderr.contains("did you mean `alerts/db/DatabaseDown`?"), "\(command): \(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: scratch.database))
    }

    @Test func startByNestedIDFollowsALinkIntoAnotherSubdirectoryAndResumeFindsIt() throws {
        let scratch = try ScratchRunbooks("nested-start")
        // The database check runs, then the choice leads to ../../helpers/podDebug.md; then the incident waits.
        let result = try run(
            [
                "start", "alerts/db/DatabaseDown", "--env", "staging", "--runbooks", Self.fixtures, "--db",
                scratch.database,
            ],
            stdin: "y\n1\nq\n")
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("database checks done"))
        #expect(!result.stdout.contains("no runbook named"))
        let store = try SQLiteTranscriptStore(path: scratch.database)
        #expect(try store.incident(1)?.runbook == "alerts/db/DatabaseDown")
        let opened = try store.events(incidentID: 1).filter { $0.type == .runbookOpened }
        #expect(opened.contains { $0.payload["runbook"] == "helpers/podDebug" && $0.payload["via"] == "choice" })

        // The transcript names runbooks by their nested ids; resume finds them and goes on where it stopped.
        let resumed = try run(
            ["resume", "--runbooks", Self.fixtures, "--db", scratch.database], stdin: "y\nresolve fixed\n")
        #expect(resumed.status == 0, "\(resumed.stdout)\n\(resumed.stderr)")
        #expect(resumed.stdout.contains("pod debug: reading logs"))
        #expect(try SQLiteTranscriptStore(path: scratch.database).incident(1)?.status == .resolved)
    }

    @Test func choosingALinkWithAnAnchorInASubdirectoryOpensThatRunbook() throws {
        let scratch = try ScratchRunbooks("nested-choose")
        let result = try run(
            ["start", "triage", "--env", "staging", "--runbooks", Self.fixtures, "--db", scratch.database],
            stdin: "2\ny\n1\ny\nresolve fixed\n")
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("pod restarts: 12"))
        #expect(result.stdout.contains("pod debug: reading logs"))
        let opened = try SQLiteTranscriptStore(path: scratch.database).events(incidentID: 1)
            .filter { $0.type == .runbookOpened }.compactMap { $0.payload["runbook"]?.stringValue }
        #expect(opened.starts(with: ["triage", "alerts/api/PodCrashLooping", "helpers/podDebug"]), "\(opened)")
    }

    @Test func openInTheREPLTakesANestedOrShortIDAndListsCandidatesOfAnAmbiguousOne() throws {
        let scratch = try ScratchRunbooks("nested-open")
        let result = try run(
            ["start", "triage", "--env", "staging", "--runbooks", Self.fixtures, "--db", scratch.database],
            stdin: "open Status\nopen alerts/api/Status\ny\nopen podDebug\ny\nq\n")
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("hint: use the full id: alerts/api/Status, alerts/db/Status"))
        #expect(result.stdout.contains("api status: ok"))
        #expect(result.stdout.contains("pod debug: reading logs"))
    }

    @Test func startByPathInsideTheRunbooksDirectoryUsesItsNestedID() throws {
        let scratch = try ScratchRunbooks("nested-path")
        let path = Self.fixtures + "/alerts/api/Status.md"
        let result = try run(
            ["start", path, "--env", "staging", "--runbooks", Self.fixtures, "--db", scratch.database],
            stdin: "y\nresolve fine\n")
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("api status: ok"))
        #expect(try SQLiteTranscriptStore(path: scratch.database).incident(1)?.runbook == "alerts/api/Status")
    }

    @Test func startByPathOutsideTheRunbooksDirectoryUsesItsOwnDirectory() throws {
        let scratch = try ScratchRunbooks("nested-outside")
        // No --runbooks: ./runbooks (the bundled set) does not hold this file, so its directory is its root.
        let result = try run(
            ["start", Self.fixtures + "/alerts/db/Status.md", "--env", "staging", "--db", scratch.database],
            stdin: "y\nresolve fine\n")
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("database status: degraded"))
        #expect(try SQLiteTranscriptStore(path: scratch.database).incident(1)?.runbook == "Status")
    }

    @Test func drillTakesAPath() throws {
        let scratch = try ScratchRunbooks("nested-drill")
        let result = try run(
            [
                "drill", "Tests/RunbookCLITests/Fixtures/nested/alerts/db/Status.md", "--runbooks", Self.fixtures,
                "--db", scratch.database,
            ],
            stdin: "y\nresolve drilled\n")
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("database status: degraded"))
        let incident = try #require(try SQLiteTranscriptStore(path: scratch.database).incident(1))
        #expect(incident.runbook == "alerts/db/Status")
        #expect(incident.isDrill)
    }

    // MARK: escalation policy

    static let policy = """
        # Escalation

        | Severity | Description | Response Time | Escalation |
        |----------|-------------|---------------|------------|
        | P2 | Degraded | 2 hours | On-call Engineer |

        """

    @Test func withoutEscalationMDTheUsersConfigurationDirectoryHoldsThePolicy() throws {
        let scratch = try ScratchRunbooks("nested-policy")
        let configuration = scratch.directory.appendingPathComponent("config")
        let environment = ["XDG_CONFIG_HOME": configuration.path]

        // Without either: the session says so once, and lint notes it once for the directory.
        let bare = try run(
            ["start", "alerts/db/Status", "--env", "staging", "--runbooks", Self.fixtures, "--db", scratch.database],
            stdin: "y\nresolve fine\n", environment: environment)
        #expect(bare.status == 0, "\(bare.stdout)\n\(bare.stderr)")
        #expect(bare.stdout.components(separatedBy: "no escalation policy").count == 2, "\(bare.stdout)")
        let bareLint = try run(["lint", Self.fixtures], environment: environment)
        #expect(bareLint.status == 0)
        #expect(
            bareLint.stdout.components(separatedBy: ": note: no escalation policy").count == 2, "\(bareLint.stdout)")
        #expect(bareLint.stdout.contains(configuration.path + "/runbook/escalation.md"))

        try FileManager.default.createDirectory(
            at: configuration.appendingPathComponent("runbook"), withIntermediateDirectories: true)
        try Data(Self.policy.utf8).write(to: configuration.appendingPathComponent("runbook/escalation.md"))
        let covered = try run(
            ["start", "alerts/db/Status", "--env", "staging", "--runbooks", Self.fixtures, "--db", scratch.database],
            stdin: "y\nq\n", environment: environment)
        #expect(covered.status == 0, "\(covered.stdout)\n\(covered.stderr)")
        #expect(!covered.stdout.contains("no escalation policy"), "\(covered.stdout)")
        #expect(try !SQLiteTranscriptStore(path: scratch.database).timers(incidentID: 2).isEmpty)
        let coveredLint = try run(["lint", Self.fixtures], environment: environment)
        #expect(!coveredLint.stdout.contains("no escalation policy"), "\(coveredLint.stdout)")
    }
}
