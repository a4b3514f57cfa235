import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// The secrets corpus: a runbook whose steps print each kind of secret the redactor knows, plain, split across
/// reads, and split by colour codes; after a scripted run and every export, no file holds a byte of any of them.
///
/// `RUNBOOK_SECRETS_REPORT=FILE` writes the counts to FILE (`scripts/reliability-report` puts them into
/// docs/reliability.md).
@Suite struct SecretsCorpusTests {
    /// One printed line: `prefix + value + suffix`, where `value` is what must never be stored.
    struct Secret {
        var kind: String
        var prefix: String
        var value: String
        var suffix: String = ""
    }

    static let declaredSecret = "hunter2-corpus-4c1d"
    static let corpus: [Secret] = [
        Secret(
            kind: "AWS STS SecretAccessKey", prefix: #""SecretAccessKey": ""#,
            value: "wJalrXUtnFEMIcorpus/K7MDENGbPxRfiCY", suffix: #"","#),
        Secret(
            kind: "AWS STS SessionToken", prefix: #""SessionToken": ""#, value: "FwoGZXIvYXdzEJrcorpus+SessionTok0123=",
            suffix: #"","#),
        Secret(
            kind: "GCP private_key (\\n escapes)", prefix: #"{"private_key": "-----BEGIN PRIVATE KEY-----\n"#,
            value: "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCcorpusGcpKeyLine0123456789abcdef",
            suffix: #"\n-----END PRIVATE KEY-----\n", "client_email": "sa@p.iam"}"#),
        Secret(
            kind: "PGP private key block", prefix: "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n",
            value: "lQOYBF0corpusPgpBodyLine0123456789abcdefABCDEF",
            suffix: "\n=a1b2\n-----END PGP PRIVATE KEY BLOCK-----"),
        Secret(kind: "--password VALUE", prefix: "mysql --password ", value: "pwOptionCorpus-9f8e7d", suffix: " -h db"),
        Secret(kind: "token:", prefix: "token: ", value: "tokValueCorpus-5a4b3c"),
        Secret(kind: "X-Api-Key:", prefix: "X-Api-Key: ", value: "apiKeyCorpus0123456789abcdef"),
        Secret(
            kind: "client_secret=", prefix: "client_id=app&client_secret=", value: "clientSecretCorpus-77aa",
            suffix: "&x=1"),
        Secret(kind: "GITHUB_TOKEN=", prefix: "GITHUB_TOKEN=", value: "ghEnvTokenCorpus-1234abcd"),
        Secret(kind: "ghp_ token", prefix: "using ", value: "ghp_corpus0123456789abcdefABCDEFGHIJ0123", suffix: " now"),
        Secret(kind: "github_pat_ token", prefix: "pat ", value: "github_pat_11CORPUS0123456789_abcdefghijklmno"),
        Secret(kind: "Slack xoxb- token", prefix: "SLACK ", value: "xoxb-1234567890-corpusSlackTok", suffix: " ok"),
        Secret(
            kind: "Slack webhook URL", prefix: "https://hooks.slack.com/services/",
            value: "T0CORPUS/B0CORPUS/XXcorpusWebhookPathXX"),
        Secret(
            kind: "PagerDuty routing key in a URL", prefix: "https://events.pagerduty.com/integration/",
            value: "0123456789abcdefcorpus0123456789", suffix: "/enqueue"),
        Secret(kind: "JWT", prefix: "id ", value: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjb3JwdXMifQ.c2lnbmF0dXJlLWNvcnB1cw"),
        Secret(
            kind: "Authorization: (Digest)", prefix: "Authorization: Digest ",
            value: "username=admin, response=6629fae49393corpus78507c4ef1"),
        Secret(
            kind: "URL user:password", prefix: "git clone https://deploy:", value: "urlPassw0rdCorpus-31",
            suffix: "@git.example.com/r"),
    ]

    static func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'" }

    /// The runbook: one step printing every secret plain, one split across reads, one split by colour codes.
    static var runbook: String {
        var plain = "printf '%s\\n'"
        var split = ""
        var coloured = ""
        for secret in corpus {
            let half = secret.value.index(secret.value.startIndex, offsetBy: secret.value.count / 2)
            let (first, second) = (String(secret.value[..<half]), String(secret.value[half...]))
            plain += " " + quoted(secret.prefix + secret.value + secret.suffix)
            split +=
                "printf '%s' \(quoted(secret.prefix + first)); sleep 0.05; printf '%s\\n' \(quoted(second + secret.suffix))\n"
            // `%b` turns \033 into ESC; the text's own backslashes are doubled so they print as they are.
            func escaped(_ text: String) -> String { text.replacingOccurrences(of: "\\", with: "\\\\") }
            coloured +=
                "printf '%b\\n' "
                + quoted(
                    escaped(secret.prefix + first) + "\\033[01;31m" + escaped(second) + "\\033[0m"
                        + escaped(secret.suffix))
                + "\n"
        }
        return """
            ---
            title: Secrets corpus
            severity: P0
            environments: [staging]
            variables:
              DB_SECRET: {prompt: Database secret, secret: true}
            ---
            # Secrets corpus

            ```bash {id=escalated risk=read timeout=60s}
            \(waitForFailedDeliveries)
            ```

            ```bash {id=plain risk=read}
            \(plain)
            printf 'db %s\\n' "$DB_SECRET"
            ```

            ```bash {id=split risk=read}
            \(split)printf '%s' "$DB_SECRET" | head -c 6; sleep 0.05; printf '%s\\n' "$DB_SECRET" | tail -c +7
            ```

            ```bash {id=coloured risk=read}
            \(coloured)printf '%s' "$DB_SECRET" | head -c 6; printf '\\033[01;31m'; printf '%s' "$DB_SECRET" | tail -c +7; printf '\\033[0m\\n'
            ```

            """
    }

    /// The notifier secrets: environment values that `notifiers.yaml` names. The escalator fails each delivery
    /// (PagerDuty answers 400 quoting the request, which holds the routing key; the exec hook prints its
    /// environment and exits 1), so each may reach an error message, an event and the escalator's log.
    static let notifierSecrets: [(kind: String, variable: String, value: String)] = [
        (
            "PagerDuty routing key (notifier env, quoted in an HTTP error body)", "CORPUS_PD_KEY",
            "pdRoutingKeyCorpus0123456789abcd"
        ),
        ("exec hook env value (printed by the failing hook)", "CORPUS_HOOK_TOKEN", "hookTokenCorpus-42-zz"),
        ("Slack webhook URL (notifier env)", "CORPUS_SLACK_URL", ""),
    ]

    /// A step that waits (polling the database, at most 30 s) until the escalator has recorded a failed delivery on
    /// each of the three channels: the secrets are then in whatever the escalator wrote.
    static let waitForFailedDeliveries = """
        for i in $(seq 600); do n=$(sqlite3 -cmd '.timeout 2000' "$CORPUS_DB" "SELECT count(DISTINCT json_extract(payload, '$.channel')) FROM events WHERE type = 'notification.failed'"); [ "$n" -ge 3 ] 2>/dev/null && exit 0; sleep 0.05; done; exit 1
        """

    static func notifiers(receiver: URL) -> String {
        """
        repeats: 0
        notifiers:
          - {type: slack, name: slack, url_env: CORPUS_SLACK_URL}
          - {type: pagerduty, name: pagerduty, routing_key_env: CORPUS_PD_KEY, endpoint: "\(receiver.appendingPathComponent("v2/enqueue").absoluteString)"}
          - {type: exec, name: hook, command: [sh, -c, "env; exit 1"], env: [CORPUS_HOOK_TOKEN]}
        """
    }

    /// How many times `needle` occurs in `haystack`.
    static func count(_ needle: Data, in haystack: Data) -> Int {
        var found = 0
        var start = haystack.startIndex
        while let range = haystack.range(of: needle, in: start..<haystack.endIndex) {
            found += 1
            start = range.upperBound
        }
        return found
    }

    @Test func noSecretOfTheCorpusReachesTheDatabaseItsWALAnExportOrTheHistory() throws {
        let scratch = try ProveScratch()
        let receiver = try HTTPReceiver(statuses: ["400echo"])
        try scratch.write("corpus.md", Self.runbook)
        try scratch.write("escalation.md", ScratchRunbooks.escalationMatrix(p0: "1 second", targets: "CTO + On-call"))
        try scratch.write("notifiers.yaml", Self.notifiers(receiver: receiver.baseURL))
        let slackURL = receiver.baseURL.appendingPathComponent("services/T0CORPUS/B0CORPUS/slackUrlCorpusSecret")
            .absoluteString
        var notifierSecrets = Self.notifierSecrets
        notifierSecrets[2].value = slackURL
        let history = scratch.directory + "/history"
        var environment = ["RUNBOOK_HISTORY": history, "RUNBOOK_ESCALATOR": "auto", "CORPUS_DB": scratch.database]
        for secret in notifierSecrets { environment[secret.variable] = secret.value }
        defer { EscalatorProcess.stop(database: scratch.database) }
        let result = try scratch.run(
            ["start", "corpus", "--env", "staging", "--runbooks", scratch.runbooks, "--db", scratch.database],
            stdin: "\(Self.declaredSecret)\ny\ny\ny\ny\nresolve done\n", environment: environment)
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        // The escalator really failed on every channel, and PagerDuty's error body quoted the routing key.
        #expect(try receiver.requests().contains { ($0.body["routing_key"] as? String) == notifierSecrets[0].value })
        EscalatorProcess.stop(database: scratch.database)
        let escalatorLog = scratch.database + ".escalator.log"
        #expect(try String(contentsOfFile: escalatorLog, encoding: .utf8).contains("hook"))
        // The steps really printed every secret whole (on the screen, which is not stored).
        let screen = ANSIText.strip(result.stdout)
        for secret in Self.corpus {
            #expect(screen.components(separatedBy: secret.value).count - 1 >= 3, "\(secret.kind) printed 3 times")
        }
        var files = [
            ("database", scratch.database), ("WAL", scratch.database + "-wal"), ("history", history),
            ("escalator log", escalatorLog),
        ]
        for (format, ext) in [("markdown", "md"), ("json", "json"), ("asciicast", "cast")] {
            let path = scratch.directory + "/export.\(ext)"
            let export = try BuiltBinary.run(["export", "1", "--format", format, "-o", path, "--db", scratch.database])
            #expect(export.status == 0, "\(export.stderr)")
            files.append(("\(format) export", path))
        }
        // The WAL is read while it still holds the run's pages: an export does not checkpoint it away first.
        let contents = files.map { name, path in
            (name, path, FileManager.default.contents(atPath: path))
        }
        var report =
            "secret kind | bytes found in the database, its WAL, the history file, the escalator's log and each export\n"
        var total = 0
        let secrets =
            Self.corpus.map { ($0.kind, $0.value) } + [("declared secret variable (secret: true)", Self.declaredSecret)]
            + notifierSecrets.map { ($0.kind, $0.value) }
        for (kind, value) in secrets {
            var line = "\(kind):"
            for (name, _, data) in contents {
                guard let data else {
                    line += " \(name) absent;"
                    continue
                }
                let bytes = Self.count(Data(value.utf8), in: data) * value.utf8.count
                total += bytes
                line += " \(name) \(bytes);"
                #expect(bytes == 0, "\(kind): \(bytes) bytes of the secret in the \(name)")
            }
            report += line + "\n"
        }
        report += "total: \(total) bytes\n"
        // Redaction happened (the test fails if nothing was stored at all).
        let json = try String(contentsOfFile: scratch.directory + "/export.json", encoding: .utf8)
        #expect(json.contains("[REDACTED:"))
        #expect(contents.first { $0.0 == "database" }?.2 != nil)
        if let path = ProcessInfo.processInfo.environment["RUNBOOK_SECRETS_REPORT"] {
            try Data(report.utf8).write(to: URL(fileURLWithPath: path))
        }
    }

    /// The same secrets typed at the REPL's prompt in a real terminal (tmux, libedit): as notes, and as a refused
    /// `set DB_SECRET=…`. No byte reaches the history file or the database. Its counts go to
    /// `$RUNBOOK_SECRETS_REPORT.history`.
    @Test func noSecretOfTheCorpusTypedAtThePromptReachesTheHistory() throws {
        let scratch = try ProveScratch()
        try scratch.write("corpus.md", Self.runbook)
        let history = scratch.directory + "/state/history"
        let command = [
            BuiltBinary.path, "start", "corpus", "--env", "staging", "--runbooks", scratch.runbooks, "--db",
            scratch.database,
        ].map(TmuxSession.quote).joined(separator: " ")
        let tmux = try TmuxSession(
            command, width: 200, height: 50, directory: scratch.directory,
            // The first step reads `$CORPUS_DB`, which the runbook does not declare: given, it is not asked for.
            environment: [
                "RUNBOOK_HISTORY": history, "LANG": "C.UTF-8", "TERM": "screen", "CORPUS_DB": scratch.database,
            ])
        defer { tmux.kill() }
        try tmux.waitFor("›")
        try tmux.send("set DB_SECRET", literal: true)
        try tmux.send("Enter")
        try tmux.waitFor("Database secret")
        try tmux.send(Self.declaredSecret, literal: true)
        try tmux.send("Enter")
        let lines =
            Self.corpus.map { "note " + ($0.prefix + $0.value + $0.suffix).replacingOccurrences(of: "\n", with: " ") }
            + ["set DB_SECRET=\(Self.declaredSecret)", "note typed \(Self.declaredSecret) again", "note corpus-done"]
        for line in lines {
            try tmux.send(line, literal: true)
            try tmux.send("Enter")
        }
        let store = try SQLiteTranscriptStore(path: scratch.database)
        try waitUntil("the last note to be recorded", timeout: 30) {
            try store.events(incidentID: 1).contains { $0.payload["text"]?.stringValue == "corpus-done" }
        }
        try tmux.send("C-d")
        try tmux.waitFor("[exited 0]")
        let files = [("history", history), ("database", scratch.database), ("WAL", scratch.database + "-wal")]
        let contents = files.map { ($0.0, FileManager.default.contents(atPath: $0.1)) }
        #expect(contents[0].1.map { String(decoding: $0, as: UTF8.self).contains("corpus-done") } == true)
        var report = "typed at the prompt | bytes found in the history file, the database and its WAL\n"
        var total = 0
        for (kind, value) in Self.corpus.map({ ($0.kind, $0.value) }) + [("declared secret", Self.declaredSecret)] {
            var line = "\(kind):"
            for (name, data) in contents {
                let bytes = data.map { Self.count(Data(value.utf8), in: $0) * value.utf8.count } ?? 0
                total += bytes
                line += " \(name) \(bytes);"
                #expect(bytes == 0, "\(kind): \(bytes) bytes of the secret in the \(name)")
            }
            report += line + "\n"
        }
        report += "total: \(total) bytes\n"
        if let path = ProcessInfo.processInfo.environment["RUNBOOK_SECRETS_REPORT"] {
            try Data(report.utf8).write(to: URL(fileURLWithPath: path + ".history"))
        }
    }

    static let ticketRule = "rules:\n  - name: ticket-key\n    pattern: 'TICKET-KEY-(?<secret>[0-9a-f]{8})'\n"

    @Test func aRuleOfTheRunbooksDirectoryRedactsSessionOutput() throws {
        let scratch = try ProveScratch()
        try scratch.write("redaction.yaml", Self.ticketRule)
        try scratch.write(
            "ticket.md",
            "---\ntitle: Ticket\nenvironments: [staging]\n---\n# Ticket\n\n"
                + "```bash {id=show risk=read}\necho \"key TICKET-KEY-$(printf '%s%s' 0a1b 2c3d)\"\n```\n")
        let result = try scratch.run(
            ["start", "ticket", "--env", "staging", "--runbooks", scratch.runbooks, "--db", scratch.database],
            stdin: "y\nresolve done\n")
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        #expect(result.stdout.contains("key TICKET-KEY-0a1b2c3d"))
        let path = scratch.directory + "/export.json"
        let exported = try BuiltBinary.run(["export", "1", "--format", "json", "-o", path, "--db", scratch.database])
        #expect(exported.status == 0, "\(exported.stderr)")
        let json = try String(contentsOfFile: path, encoding: .utf8)
        #expect(json.contains("key TICKET-KEY-[REDACTED:ticket-key]"), "\(json)")
        #expect(!json.contains("0a1b2c3d"))
    }

    @Test func aRuleOfTheRunbooksDirectoryRedactsRecordedOutput() throws {
        let scratch = try ProveScratch()
        try scratch.write("redaction.yaml", Self.ticketRule)
        let result = try scratch.run(
            ["record", "--runbooks", scratch.runbooks, "--db", scratch.database, "--", "echo TICKET-KEY-0a1b2c3d"])
        #expect(result.status == 0, "\(result.stderr)")
        let path = scratch.directory + "/export.json"
        let exported = try BuiltBinary.run(["export", "1", "--format", "json", "-o", path, "--db", scratch.database])
        #expect(exported.status == 0, "\(exported.stderr)")
        let json = try String(contentsOfFile: path, encoding: .utf8)
        #expect(json.contains("TICKET-KEY-[REDACTED:ticket-key]"), "\(json)")
        #expect(!json.contains("0a1b2c3d"))
    }
}
