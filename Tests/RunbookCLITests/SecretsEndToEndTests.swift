import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// Secrets the tool knows never reach the disk (issue #17), through the built binary: a step captured into a
/// secret variable, the values of secret variables and notifier variables in the environment, what a one-shot
/// `ack --by` or a `handoff` names, and what an exec hook is given.
@Suite(.serialized) struct SecretsEndToEndTests {
    let directory: URL
    let database: String
    let runbooks: URL

    init() throws {
        let scratch = try ScratchRunbooks("secrets")
        (directory, runbooks, database) = (scratch.directory, scratch.runbooks, scratch.database)
    }

    func write(_ text: String, to name: String) throws {
        try text.write(to: runbooks.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    /// Every byte the store keeps: the database, its WAL and its journal, when present.
    func storedBytes() -> Data {
        var bytes = Data()
        for suffix in ["", "-wal", "-journal"] {
            bytes.append(FileManager.default.contents(atPath: database + suffix) ?? Data())
        }
        return bytes
    }

    /// How often `secret` occurs in `data`.
    func occurrences(of secret: String, in data: Data) -> Int {
        let needle = Data(secret.utf8)
        var count = 0
        var start = data.startIndex
        while let range = data.range(of: needle, in: start..<data.endIndex) {
            count += 1
            start = range.upperBound
        }
        return count
    }

    /// Printed by the step in two parts, so that the command text itself does not hold it.
    static let capturedSecret = "pw-captured-s3cr3t"

    @Test func aStepCapturedIntoASecretVariableIsNeverStoredShownSearchedOrExported() throws {
        try write(
            """
            ---
            title: Rotate
            variables:
              DB_PASSWORD: {secret: true}
            ---
            # Rotate

            ## Read the password

            ```bash {id=read-password risk=read capture=DB_PASSWORD}
            printf '%s-%s\\n' pw-captured s3cr3t
            ```

            ## Use it

            ```bash {id=use-password risk=read}
            printf 'length %s\\n' "${#DB_PASSWORD}"
            ```
            """, to: "rotate.md")
        let result = try BuiltBinary.run(
            ["start", "rotate", "--env", "staging", "--runbooks", runbooks.path, "--db", database],
            stdin: "y\ny\nresolve done\n")
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        // The value was captured (the next step sees it), but the screen never showed it.
        #expect(result.stdout.contains("length \(Self.capturedSecret.count)"), "\(result.stdout)")
        #expect(result.stdout.contains("captured DB_PASSWORD=••••••"), "\(result.stdout)")
        #expect(!result.stdout.contains(Self.capturedSecret), "\(result.stdout)")

        #expect(occurrences(of: Self.capturedSecret, in: storedBytes()) == 0)
        let store = try SQLiteTranscriptStore(path: database)
        let events = try store.events(incidentID: 1)
        let started = try #require(events.first { $0.type == .commandStarted && $0.stepID == "read-password" })
        let output = try store.output(incidentID: 1, commandSequence: started.sequence)
        let stored = output.map { String(decoding: $0.data, as: UTF8.self) }
        #expect(stored == ["[secret output of capture DB_PASSWORD, \(Self.capturedSecret.count + 1) bytes]"])

        let search = try BuiltBinary.run(["search", "captured", "--db", database])
        #expect(!search.stdout.contains(Self.capturedSecret), "\(search.stdout)")
        for format in ["markdown", "json"] {
            let export = try BuiltBinary.run(["export", "1", "--format", format, "-o", "-", "--db", database])
            #expect(export.status == 0, "\(export.stderr)")
            #expect(!export.stdout.contains(Self.capturedSecret), "\(format):\n\(export.stdout)")
            #expect(export.stdout.contains("secret output of capture DB_PASSWORD"), "\(format):\n\(export.stdout)")
        }
    }

    /// Values no redaction pattern recognises: only registration keeps them out.
    static let environmentSecrets = [
        "SLACK_WEBHOOK_URL": "http://127.0.0.1:9/plain-webhook-value-4711",
        "PAGERDUTY_ROUTING_KEY": "plainroutingvalue0815",
        "API_KEY": "plain-api-value-2342",
    ]

    func writeNotifiers(hook: String? = nil) throws {
        var yaml = """
            notifiers:
              - {type: slack, name: slack, url_env: SLACK_WEBHOOK_URL}
              - {type: pagerduty, name: pagerduty, routing_key_env: PAGERDUTY_ROUTING_KEY, endpoint: "http://127.0.0.1:9/v2/enqueue"}

            """
        if let hook { yaml += "  - {type: exec, name: hook, command: [/bin/sh, \"\(hook)\"], env: [HOOK_TOKEN]}\n" }
        try write(yaml, to: "notifiers.yaml")
    }

    @Test func secretsInTheEnvironmentAreStoredRedactedWhenAStepPrintsThem() throws {
        try writeNotifiers()
        try write(
            """
            ---
            title: Env
            variables:
              API_KEY: {secret: true}
            ---
            # Env

            ## Print the environment

            ```bash {id=print-env risk=read}
            env
            ```
            """, to: "env.md")
        let result = try BuiltBinary.run(
            ["start", "env", "--env", "staging", "--runbooks", runbooks.path, "--db", database],
            stdin: "y\nresolve done\n", environment: Self.environmentSecrets)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        // The screen shows the command's real output; only storage is redacted.
        #expect(result.stdout.contains("plain-api-value-2342"), "\(result.stdout)")
        let stored = storedBytes()
        for (name, value) in Self.environmentSecrets {
            #expect(occurrences(of: value, in: stored) == 0, "\(name) was stored")
        }
        let export = try BuiltBinary.run(["export", "1", "--format", "markdown", "-o", "-", "--db", database])
        #expect(export.stdout.contains("[REDACTED:SLACK_WEBHOOK_URL]"), "\(export.stdout)")
        #expect(export.stdout.contains("[REDACTED:API_KEY]"), "\(export.stdout)")
    }

    @Test func anExecHookGetsAMinimalEnvironmentAndTheEscalatorStoresItsErrorsRedacted() throws {
        try write(ScratchRunbooks.escalationMatrix(p0: "1 second"), to: "escalation.md")
        let dump = directory.appendingPathComponent("hook-env.txt").path
        let echoed = directory.appendingPathComponent("echoed.txt").path
        // The hook echoes the webhook URL (read from a file, as a misbehaving tool would) and fails.
        try Self.environmentSecrets["SLACK_WEBHOOK_URL"]!.write(toFile: echoed, atomically: true, encoding: .utf8)
        let hook = directory.appendingPathComponent("hook.sh").path
        try "env > \(TmuxSession.quote(dump)); cat \(TmuxSession.quote(echoed)); exit 1\n"
            .write(toFile: hook, atomically: true, encoding: .utf8)
        try writeNotifiers(hook: hook)
        var environment = Self.environmentSecrets
        environment["RUNBOOK_ESCALATOR"] = "auto"
        environment["HOOK_TOKEN"] = "plain-hook-token-9001"
        defer { EscalatorProcess.stop(database: database) }
        let declared = try BuiltBinary.run(
            [
                "declare", "--title", "API down", "--severity", "P0", "--env", "production", "--runbooks",
                runbooks.path, "--db", database,
            ], environment: environment)
        #expect(declared.status == 0, "\(declared.stderr)")
        let store = try SQLiteTranscriptStore(path: database)
        func hookFailures() throws -> [RecordedEvent] {
            try store.events(incidentID: 1).filter {
                $0.type == .notificationFailed && $0.payload["channel"] == "hook"
            }
        }
        try waitUntil("the hook to fail", timeout: 30) { try !hookFailures().isEmpty }
        EscalatorProcess.stop(database: database)

        let names = try String(contentsOfFile: dump, encoding: .utf8).split(separator: "\n")
            .compactMap { $0.split(separator: "=", maxSplits: 1).first.map(String.init) }
        let allowed: Set<String> = [
            "PATH", "HOME", "LANG", "TZ", "RUNBOOK_NOTIFICATION_KIND", "RUNBOOK_INCIDENT_ID", "RUNBOOK_CHANNEL",
            // Its own, named by `env:` in its configuration.
            "HOOK_TOKEN",
            // What the shell itself sets.
            "PWD", "SHLVL", "_", "OLDPWD",
        ]
        #expect(Set(names).isSubset(of: allowed), "the hook saw \(names.sorted())")
        #expect(names.contains("RUNBOOK_CHANNEL"))
        #expect(names.contains("PATH"))
        #expect(names.contains("HOOK_TOKEN"))

        let error = try #require(try hookFailures().first?.payload["error"]?.stringValue)
        #expect(error.contains("[REDACTED:SLACK_WEBHOOK_URL]"), "\(error)")
        let stored = storedBytes()
        for (name, value) in Self.environmentSecrets {
            #expect(occurrences(of: value, in: stored) == 0, "\(name) was stored")
        }
    }

    @Test func ackByAndHandoffNamesAreStoredRedacted() throws {
        try write(
            """
            ---
            title: Site down
            ---
            # Site down

            ## Look

            ```bash {id=look risk=read}
            true
            ```
            """, to: "down.md")
        let declared = try BuiltBinary.run(
            [
                "declare", "--title", "API down", "--severity", "P1", "--env", "production", "--runbooks",
                runbooks.path, "--db", database,
            ])
        #expect(declared.status == 0, "\(declared.stderr)")
        let ack = try BuiltBinary.run(
            ["ack", "1", "--by", "alice password=ackhunter2x", "--db", database, "--runbooks", runbooks.path])
        #expect(ack.status == 0, "\(ack.stderr)")
        let session = try BuiltBinary.run(
            ["start", "down", "--env", "staging", "--runbooks", runbooks.path, "--db", database],
            stdin: "handoff bob password=handhunter2x\nq\n")
        #expect(session.status == 0, "\(session.stdout)\n\(session.stderr)")
        let stored = storedBytes()
        #expect(occurrences(of: "ackhunter2x", in: stored) == 0)
        #expect(occurrences(of: "handhunter2x", in: stored) == 0)
        let handoff = try #require(
            try SQLiteTranscriptStore(path: database).events(incidentID: 2).first {
                $0.type == .handoff
            })
        #expect(handoff.payload["to"]?.stringValue?.hasPrefix("bob ") == true, "\(handoff.payload)")
    }
}
