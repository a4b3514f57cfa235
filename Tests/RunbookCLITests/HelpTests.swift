import Foundation
import RunbookTestSupport
import Testing

@Suite struct HelpTests {
    @Test func helpDocumentsExitCodes() throws {
        let result = try BuiltBinary.run(["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("3 scripted input ended mid-step"))
    }

    static let subcommands = [
        "list", "show", "lint", "start", "resume", "declare", "note", "follow", "sev", "status", "incidents",
        "transcript", "search", "verify", "export", "record", "drill", "ack", "escalations", "escalator", "serve",
        "keys", "import", "impact-start", "detected",
        "cause", "action",
    ]

    /// The help's argument and option entries, each with its wrapped lines joined.
    static func entries(_ help: String) -> [String] {
        var entries: [String] = []
        for line in help.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.drop { $0 == " " }
            let indent = line.count - trimmed.count
            if indent == 2, trimmed.first == "-" || trimmed.first == "<" {
                entries.append(String(trimmed))
            } else if indent > 2, !entries.isEmpty, !trimmed.isEmpty {
                entries[entries.count - 1] += " " + trimmed
            }
        }
        return entries
    }

    @Test(arguments: subcommands) func everyHelpEntryStatesItsDefaultOnce(_ command: String) throws {
        let result = try BuiltBinary.run([command, "--help"])
        #expect(result.status == 0, "\(result.stderr)")
        let entries = Self.entries(result.stdout)
        #expect(!entries.isEmpty, "\(result.stdout)")
        for entry in entries {
            #expect(entry.components(separatedBy: "default").count <= 2, "\(command): \(entry)")
        }
    }

    @Test(arguments: subcommands) func theIncidentArgumentIsCalledIDEverywhere(_ command: String) throws {
        let help = try BuiltBinary.run([command, "--help"]).stdout
        #expect(!help.contains("<incident>") && !help.contains("<id>"), "\(command): \(help)")
        if [
            "resume", "note", "follow", "sev", "status", "transcript", "verify", "export", "ack", "escalations",
            "impact-start", "detected", "cause",
            "action",
        ].contains(command) {
            #expect(help.contains("<ID>"), "\(command): \(help)")
        }
    }

    /// What a person reads: every subcommand's help, compared with Golden/help-COMMAND.txt (re-record on purpose
    /// with RECORD_GOLDEN=1).
    @Test(arguments: [""] + subcommands) func helpMatchesItsGoldenFile(_ command: String) throws {
        let result = try BuiltBinary.run(
            (command.isEmpty ? [] : [command]) + ["--help"], environment: ["COLUMNS": "80"])
        #expect(result.status == 0, "\(result.stderr)")
        try Golden.check(result.stdout, against: "help-\(command.isEmpty ? "runbook" : command).txt")
    }

    @Test func aMistypedSubcommandGetsDidYouMeanAndExit2() throws {
        let result = try BuiltBinary.run(["strat", "outage"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("`strat` is not a runbook command"), "\(result.stderr)")
        #expect(result.stderr.contains("did you mean `start`?"), "\(result.stderr)")
        let unknown = try BuiltBinary.run(["frobnicate"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("the commands are: list, show, lint, start"), "\(unknown.stderr)")
    }

    @Test func lintOfAMissingPathNamesIt() throws {
        let result = try BuiltBinary.run(["lint", "/nonexistent/runbooks"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("/nonexistent/runbooks"), "\(result.stderr)")
        #expect(!result.stdout.contains("no problems"), "\(result.stdout)")
    }

    @Test func unknownOptionIsAUsageError() throws {
        let result = try BuiltBinary.run(["--no-such-flag"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("no-such-flag"))
    }
}

/// Start-up: `runbook` must not load FoundationNetworking (libcurl and some thirty libraries), which would double
/// the time to the first step; notifications go through `runbook-http`.
@Suite struct LinkedLibrariesTests {
    @Test func runbookLoadsNoHTTPStackAndRunbookHTTPUsesAsyncHTTPClientNotLibcurl() throws {
        func libraries(_ path: String) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/ldd")
            process.arguments = [path]
            return try ProcessRunner.collect(process, stdin: nil).stdout
        }
        let runbook = try libraries(BuiltBinary.path)
        #expect(runbook.contains("libsqlite3"))
        #expect(!runbook.contains("libcurl"))
        #expect(!runbook.contains("FoundationNetworking"))
        let httpPath = (BuiltBinary.path as NSString).deletingLastPathComponent + "/runbook-http"
        let http = try libraries(httpPath)
        // URLSession (libcurl) spun while it waited on a server that did not answer.
        #expect(!http.contains("libcurl"))
        #expect(!http.contains("FoundationNetworking"))
        let marker = Data("AsyncHTTPClient".utf8)
        #expect(try Data(contentsOf: URL(fileURLWithPath: httpPath)).range(of: marker) != nil)
        #expect(try Data(contentsOf: URL(fileURLWithPath: BuiltBinary.path)).range(of: marker) == nil)
    }
}
