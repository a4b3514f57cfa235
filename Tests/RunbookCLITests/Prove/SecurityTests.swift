import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// Hostile values, secrets and file modes, end to end through the built binary.
///
/// Already covered elsewhere (and referenced in docs/reliability.md): a drill in production exits 5
/// (`DrillEndToEndTests`), a destructive production step needs the typed name (`SessionEndToEndTests`),
/// a secret answer never reaches the database (`SessionEndToEndTests`), export files are 0600 (`ExportCommandTests`),
/// database files are 0600 (`TranscriptCommandsTests`), tampering with any column is caught (`TranscriptDurabilityTests`).
@Suite struct SecurityTests {
    static let hostile = """
        ---
        title: Hostile values
        environments: [staging]
        variables:
          A: {prompt: Value A}
          B: {prompt: Value B}
          C: {prompt: Value C}
          D: {prompt: Value D}
        ---
        # Hostile values

        ```bash {id=echo-values risk=read}
        printf '[%s]\\n' "$A" "$B" "$C" "$D"
        ```

        """

    @Test func variableValuesWithShellSyntaxStayInertData() throws {
        let scratch = try ProveScratch()
        try scratch.write("hostile.md", Self.hostile)
        let marker = "/tmp/pwned-\(UUID().uuidString)"
        let values = [
            "$(touch \(marker)-a)", "`touch \(marker)-b`", "x; touch \(marker)-c", "'\"; touch \(marker)-d; echo \"'",
        ]
        let answers = values.joined(separator: "\n") + "\ny\nq\n"
        let result = try scratch.run(
            ["start", "hostile", "--env", "staging", "--runbooks", scratch.runbooks, "--db", scratch.database],
            stdin: answers)
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        for suffix in ["a", "b", "c", "d"] {
            #expect(!FileManager.default.fileExists(atPath: "\(marker)-\(suffix)"), "\(marker)-\(suffix) was created")
        }
        // Each value came out exactly as typed: data, not code.
        for value in values { #expect(result.stdout.contains("[\(value)]"), "\(value) not echoed verbatim") }
        let events = try scratch.events()
        let started = try #require(events.first { $0.type == .commandStarted && $0.stepID == "echo-values" })
        #expect(started.payload["command"] == "printf '[%s]\\n' \"$A\" \"$B\" \"$C\" \"$D\"")
        for (name, value) in zip(["A", "B", "C", "D"], values) {
            #expect(
                events.contains {
                    $0.type == .variableSet && $0.payload["name"] == .string(name)
                        && $0.payload["value"] == .string(value)
                })
        }
    }

    static let secretRunbook = """
        ---
        title: Secrets
        environments: [staging]
        variables:
          TOKEN: {prompt: Token, secret: true}
        ---
        # Secrets

        ```bash {id=use-token risk=read}
        echo "token is $TOKEN"; echo "again:$TOKEN:"
        ```

        """

    /// Runs the secret runbook to the end and exports it three ways; returns every file that must hold no secret.
    func recordAndExport(_ scratch: ProveScratch, secret: String, extraStep: String = "") throws -> [String] {
        try scratch.write("secrets.md", Self.secretRunbook + extraStep)
        let result = try scratch.run(
            ["start", "secrets", "--env", "staging", "--runbooks", scratch.runbooks, "--db", scratch.database],
            stdin: "\(secret)\ny\n" + (extraStep.isEmpty ? "" : "y\n") + "resolve done\n")
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        var files = [scratch.database, scratch.database + "-wal", scratch.database + "-shm"]
        for (format, ext) in [("markdown", "md"), ("json", "json"), ("asciicast", "cast")] {
            let path = scratch.directory + "/export.\(ext)"
            let export = try BuiltBinary.run(["export", "1", "--format", format, "-o", path, "--db", scratch.database])
            #expect(export.status == 0, "\(export.stderr)")
            files.append(path)
        }
        return files.filter { FileManager.default.fileExists(atPath: $0) }
    }

    func occurrences(of needle: String, in files: [String]) throws -> [String] {
        try files.filter { try Data(contentsOf: URL(fileURLWithPath: $0)).range(of: Data(needle.utf8)) != nil }
    }

    @Test func aSecretValueIsInZeroBytesOfTheDatabaseWALAndEveryExport() throws {
        let scratch = try ProveScratch()
        let secret = "tok-\(UUID().uuidString)"
        let files = try recordAndExport(scratch, secret: secret)
        #expect(files.count >= 4, "\(files)")
        #expect(try occurrences(of: secret, in: files).isEmpty)
        // The output was recorded, redacted: the test can fail if nothing was stored at all.
        let database = try Data(contentsOf: URL(fileURLWithPath: scratch.database))
        let wal = (try? Data(contentsOf: URL(fileURLWithPath: scratch.database + "-wal"))) ?? Data()
        let json = try String(contentsOfFile: scratch.directory + "/export.json", encoding: .utf8)
        #expect(
            json.contains("[REDACTED:TOKEN]") || database.range(of: Data("REDACTED".utf8)) != nil
                || wal.range(of: Data("REDACTED".utf8)) != nil)
    }

    @Test func aPasswordPatternPrintedByAStepIsInZeroBytesOfTheDatabaseAndExports() throws {
        let scratch = try ProveScratch()
        let password = "hunter2-\(UUID().uuidString)"
        let files = try recordAndExport(
            scratch, secret: "tok-\(UUID().uuidString)",
            extraStep: "\n```bash {id=print-password risk=read}\necho 'password=\(password)'\n```\n")
        // Sessions redact output with the executor's patterns as well as the secret values.
        let leaked = try occurrences(of: password, in: files)
        #expect(leaked.isEmpty, "\(leaked)")
    }

    @Test func filesAndDirectoriesTheToolCreatesAreOwnerOnly() throws {
        let scratch = try ProveScratch()
        let files = try recordAndExport(scratch, secret: "tok-\(UUID().uuidString)")
        for file in files { #expect(try permissions(file) == 0o600, "\(file)") }
        // A database in a directory that does not exist yet: the directory is created 0700.
        let nested = scratch.directory + "/fresh/state/runbook.sqlite3"
        let declared = try BuiltBinary.run(
            ["declare", "--title", "t", "--severity", "P2", "--env", "staging", "--db", nested])
        #expect(declared.status == 0, "\(declared.stderr)")
        #expect(try permissions(nested) == 0o600)
        #expect(try permissions(scratch.directory + "/fresh/state") == 0o700)
    }
}
