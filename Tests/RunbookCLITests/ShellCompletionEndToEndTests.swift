import Foundation
import RunbookTestSupport
import Testing

/// The bash completion script `runbook --generate-completion-script bash` prints, sourced into a real bash: Tab
/// after `start` lists the runbook ids of `--runbooks DIR`, after `resume --db PATH` the incident ids of that
/// database, after `--severity` P0-P3. The script calls `runbook` back; the callback reads the scratch tree.
@Suite struct ShellCompletionEndToEndTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/session").path

    /// What bash's completion function for `runbook` puts in COMPREPLY for the words `line` (the last one is the
    /// word being completed).
    func complete(_ words: [String]) throws -> [String] {
        let script = try BuiltBinary.run(["--generate-completion-script", "bash"])
        #expect(script.status == 0, "\(script.stderr)")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("runbook-completion-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let scriptPath = directory.appendingPathComponent("runbook.bash").path
        try script.stdout.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        let quoted = words.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let driver = """
            source '\(scriptPath)'
            function=$(complete -p runbook | sed -E 's/.* -F ([^ ]+) .*/\\1/')
            COMP_WORDS=(\(quoted))
            COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
            COMP_LINE="${COMP_WORDS[*]}"
            COMP_POINT=${#COMP_LINE}
            "$function" runbook "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
            printf '%s\\n' "${COMPREPLY[@]}"
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["--norc", "--noprofile", "-c", driver]
        let binDirectory = (BuiltBinary.path as NSString).deletingLastPathComponent
        process.environment = BuiltBinary.environment(adding: [
            "PATH": binDirectory + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        ])
        let result = try ProcessRunner.collect(process, stdin: nil)
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout.split(separator: "\n").map(String.init)
    }

    @Test func bashCompletesRunbookIDsIncidentIDsAndSeverities() throws {
        #expect(try complete(["runbook", "start", "--runbooks", Self.fixtures, ""]).sorted() == ["outage", "triage"])
        #expect(try complete(["runbook", "start", "--runbooks", Self.fixtures, "tr"]) == ["triage"])
        #expect(try complete(["runbook", "declare", "--severity", ""]) == ["P0", "P1", "P2", "P3"])

        let database = ScratchDatabase()
        let first = try database.declare(title: "first")
        let second = try database.declare(title: "second")
        #expect(
            try complete(["runbook", "resume", "--db", database.path, ""]) == [String(second), String(first)])
        // A missing database is never created by completing.
        let missing = database.directory + "/missing.sqlite3"
        #expect(try complete(["runbook", "export", "--db", missing, ""]) == [])
        #expect(!FileManager.default.fileExists(atPath: missing))
    }
}
