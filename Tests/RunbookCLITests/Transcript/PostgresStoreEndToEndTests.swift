import Foundation
import RunbookTestSupport
import Testing

@testable import RunbookKit
@testable import RunbookPostgres

/// The built binary on a PostgreSQL store (`--db postgres://…`), against the server `RUNBOOK_TEST_POSTGRES` names
/// (`.ci/run` starts one: scripts/pg-test-cluster), with the password in `PGPASSWORD` only.
@Suite(
    .enabled(
        if: ProcessInfo.processInfo.environment["RUNBOOK_TEST_POSTGRES"].map { !$0.isEmpty } ?? false,
        "RUNBOOK_TEST_POSTGRES is not set: no PostgreSQL server to test against (.ci/run starts one)"),
    .ownThreads)
struct PostgresStoreEndToEndTests {
    let environment = ProcessInfo.processInfo.environment
    var baseURL: String { environment["RUNBOOK_TEST_POSTGRES"] ?? "" }
    var password: String { environment["PGPASSWORD"] ?? "" }

    /// A schema of its own in the test database, and the URL that selects it.
    func freshSchema() throws -> (url: String, schema: String) {
        let schema = "e2e_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try PostgresTranscriptStore(location: PostgresLocation(url: baseURL), redactor: nil)
            .execute(sql: "CREATE SCHEMA \(schema)")
        return (baseURL + "&options=-c%20search_path%3D\(schema)", schema)
    }

    @Test func noteAppendsToAnIncidentOnTheServerAndThePasswordIsNeverRecordedOrShown() throws {
        #expect(!password.isEmpty, "the test cluster authenticates with a password (PGPASSWORD)")
        let (url, schema) = try freshSchema()
        let store = try PostgresTranscriptStore(location: PostgresLocation(url: url), redactor: nil)
        let (incident, declared) = try store.declareIncident(.sampleForPostgres, actor: "alice@h", at: Date())

        let note = try BuiltBinary.run(
            ["note", String(incident.id), "replica lag is 3 s", "--db", url], environment: ["RUNBOOK_DB": ""])
        #expect(note.status == 0, "\(note.stderr)")
        #expect(note.stdout == "#2\n")
        let events = try store.events(incidentID: incident.id)
        #expect(events.map(\.type) == [.incidentDeclared, .noteAdded])
        #expect(events[1].payload["text"] == "replica lag is 3 s")
        #expect(events[1].previousHash == declared.hash)

        // Nothing of the password anywhere: not on the screen, not in any table of the schema.
        let dump = try ProcessRunner.collect(
            process("/usr/bin/env", ["pg_dump", "--data-only", "--schema", schema, "-d", baseURL]), stdin: nil,
            timeout: 60)
        #expect(dump.status == 0, "\(dump.stderr)")
        #expect(dump.stdout.contains("replica lag is 3 s"))
        for text in [note.stdout, note.stderr, dump.stdout] { #expect(!text.contains(password)) }
    }

    /// The commands that need a `TeamStore` (the escalation tables, leases, search) run on the PostgreSQL store.
    @Test func declareArmsItsTimerAndSearchFindsItOnThePostgreSQLStore() throws {
        let (url, _) = try freshSchema()
        let runbooks = try ScratchRunbooks("pg-declare").runbooks
        try ScratchRunbooks.escalationMatrix(p0: "15 minutes").write(
            to: runbooks.appendingPathComponent("escalation.md"), atomically: true, encoding: .utf8)
        let declared = try BuiltBinary.run(
            [
                "declare", "--title", "checkout latency", "--severity", "P0", "--env", "staging", "--runbooks",
                runbooks.path, "--db", url,
            ],
            environment: ["RUNBOOK_DB": ""])
        #expect(declared.status == 0, "\(declared.stderr)")
        let store = try PostgresTranscriptStore(location: PostgresLocation(url: url), redactor: nil)
        let incident = try #require(try store.incidents(openOnly: true, drillsOnly: false).first)
        #expect(try store.timers(incidentID: incident.id).map(\.status) == [.pending])
        let note = try BuiltBinary.run(
            ["note", String(incident.id), "checkout p99 back under 300 ms", "--db", url],
            environment: ["RUNBOOK_DB": ""])
        #expect(note.status == 0, "\(note.stderr)")
        let search = try BuiltBinary.run(["search", "checkout", "--db", url], environment: ["RUNBOOK_DB": ""])
        #expect(search.status == 0, "\(search.stderr)")
        #expect(search.stdout.contains("[checkout]"), "\(search.stdout)")
    }

    @Test func aCommandThatNeedsWhatThePostgreSQLStoreLacksSaysSoWithExitStatus2() throws {
        let (url, _) = try freshSchema()
        for arguments in [["verify", "1", "--anchor", "1:abc"]] {
            let result = try BuiltBinary.run(arguments + ["--db", url], environment: ["RUNBOOK_DB": ""])
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stderr.contains("is not supported on the PostgreSQL store yet"), "\(result.stderr)")
            #expect(!result.stderr.contains(password))
        }
    }

    /// `incidents` and `verify` only read: on an empty schema they create nothing and say so (exit 4).
    @Test func commandsThatOnlyReadChangeNothingAndListWhatIsThere() throws {
        let (url, schema) = try freshSchema()
        for arguments in [["incidents"], ["verify", "--all"]] {
            let empty = try BuiltBinary.run(arguments + ["--db", url], environment: ["RUNBOOK_DB": ""])
            #expect(empty.status == 4, "\(arguments)")
            #expect(empty.stderr.contains("no runbook transcript in this database (nothing was created)"))
        }
        let base = try PostgresTranscriptStore(location: PostgresLocation(url: baseURL), redactor: nil)
        #expect(try base.tableCount(schema: schema) == 0)
        let store = try PostgresTranscriptStore(location: PostgresLocation(url: url), redactor: nil)
        let (incident, _) = try store.declareIncident(.sampleForPostgres, actor: "alice@h", at: Date())
        let listed = try BuiltBinary.run(["incidents", "--db", url], environment: ["RUNBOOK_DB": ""])
        #expect(listed.status == 0, "\(listed.stderr)")
        let rows = listed.stdout.split(separator: "\n").dropFirst()
        #expect(rows.count == 1, "\(listed.stdout)")
        #expect(rows.first?.hasPrefix("\(incident.id) ") == true, "\(listed.stdout)")
        #expect(rows.first?.contains("Database down") == true, "\(listed.stdout)")
    }

    @Test func verifyThroughTheBinaryFindsAnIntactChainThenTheTamperedEvent() throws {
        let (url, _) = try freshSchema()
        let store = try PostgresTranscriptStore(location: PostgresLocation(url: url), redactor: nil)
        let (incident, _) = try store.declareIncident(.sampleForPostgres, actor: "alice@h", at: Date())
        let note = try BuiltBinary.run(
            ["note", String(incident.id), "primary failed over", "--db", url], environment: ["RUNBOOK_DB": ""])
        #expect(note.status == 0, "\(note.stderr)")
        let intact = try BuiltBinary.run(["verify", String(incident.id), "--db", url], environment: ["RUNBOOK_DB": ""])
        #expect(intact.status == 0, "\(intact.stderr)")
        #expect(intact.stdout == "incident \(incident.id): intact (2 events)\n")
        try store.execute(sql: "ALTER TABLE events DISABLE TRIGGER USER")
        try store.execute(sql: "UPDATE events SET payload = '{\"text\":\"nothing failed\"}' WHERE seq = 2")
        let broken = try BuiltBinary.run(["verify", "--all", "--db", url], environment: ["RUNBOOK_DB": ""])
        #expect(broken.status == 1)
        #expect(broken.stdout.contains("incident \(incident.id): BROKEN at event #2"), "\(broken.stdout)")
    }

    @Test func aWrongPasswordIsExitStatus4WithTheReasonAndWithoutThePassword() throws {
        let wrong = "not-the-password-7f3a"
        let url = baseURL.replacingOccurrences(of: "runbook_test@", with: "runbook_test:\(wrong)@")
        let note = try BuiltBinary.run(["note", "1", "x", "--db", url], environment: ["RUNBOOK_DB": ""])
        #expect(note.status == 4)
        #expect(note.stderr.contains("password authentication failed"), "\(note.stderr)")
        #expect(!note.stderr.contains(wrong))
        #expect(!note.stderr.contains(password))
    }

    /// `sslmode=require` encrypts the connection (the test cluster offers TLS with a self-signed certificate, which
    /// `require` accepts, as libpq's does), `disable` does not, and `verify-full` refuses the untrusted certificate.
    @Test func sslModeRequireEncryptsAndVerifyFullChecksTheCertificate() throws {
        let require = baseURL.replacingOccurrences(of: "sslmode=disable", with: "sslmode=require")
        #expect(require != baseURL)
        let encrypted = try PostgresTranscriptStore(location: PostgresLocation(url: require), redactor: nil)
        #expect(try encrypted.connectionIsEncrypted())
        let plain = try PostgresTranscriptStore(location: PostgresLocation(url: baseURL), redactor: nil)
        #expect(try !plain.connectionIsEncrypted())
        let verify = baseURL.replacingOccurrences(of: "sslmode=disable", with: "sslmode=verify-full")
        let refused = try BuiltBinary.run(["note", "1", "x", "--db", verify], environment: ["RUNBOOK_DB": ""])
        #expect(refused.status == 4)
        #expect(refused.stderr.contains("cannot connect to PostgreSQL"), "\(refused.stderr)")
    }

    /// The grants docs/team-store.md gives, run as written: the application role records through the binary, and
    /// cannot change or delete events even with its own SQL prompt.
    @Test(
        .enabled(
            if: ProcessInfo.processInfo.environment["RUNBOOK_TEST_POSTGRES_ADMIN"] != nil,
            "RUNBOOK_TEST_POSTGRES_ADMIN is not set: no superuser to create the roles with (scripts/pg-test-cluster)"))
    func theDocumentedGrantsLetTheApplicationRoleAppendButNeverUpdateOrDelete() throws {
        let suffix = UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        let (owner, app, database) = ("owner_\(suffix)", "app_\(suffix)", "db_\(suffix)")
        let base = try PostgresLocation(url: baseURL)
        try admin(
            "postgres",
            """
            CREATE ROLE \(owner) LOGIN PASSWORD 'owner-pw';
            CREATE DATABASE \(database) OWNER \(owner);
            CREATE ROLE \(app) LOGIN PASSWORD 'app-pw';
            """)
        let ownerURL = "postgres://\(owner)@\(base.host):\(base.port)/\(database)?sslmode=disable"
        let appURL = "postgres://\(app)@\(base.host):\(base.port)/\(database)?sslmode=disable"
        // The owner's first run creates the tables (then finds no incident 1).
        let first = try BuiltBinary.run(
            ["note", "1", "x", "--db", ownerURL], environment: ["RUNBOOK_DB": "", "PGPASSWORD": "owner-pw"])
        #expect(first.status == 2, "\(first.stderr)")
        let guide = try String(
            contentsOf: BuiltBinary.packageRoot.appendingPathComponent("docs/team-store.md"), encoding: .utf8)
        let blocks = guide.components(separatedBy: "```sql\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        let grants = try #require(blocks.first { $0.hasPrefix("GRANT CONNECT") })
        try admin(
            database,
            grants.replacingOccurrences(of: "runbook_app", with: app)
                .replacingOccurrences(of: "DATABASE runbook ", with: "DATABASE \(database) "))
        let ownerStore = try PostgresTranscriptStore(
            location: PostgresLocation(url: ownerURL, environment: ["PGPASSWORD": "owner-pw"]), redactor: nil)
        let (incident, _) = try ownerStore.declareIncident(.sampleForPostgres, actor: "owner@h", at: Date())

        let note = try BuiltBinary.run(
            ["note", String(incident.id), "from the application role", "--db", appURL],
            environment: ["RUNBOOK_DB": "", "PGPASSWORD": "app-pw"])
        #expect(note.status == 0, "\(note.stderr)")
        #expect(note.stdout == "#2\n")
        let appStore = try PostgresTranscriptStore(
            location: PostgresLocation(url: appURL, environment: ["PGPASSWORD": "app-pw"]), redactor: nil)
        _ = try appStore.append(
            EventDraft(.statusChanged, payload: ["from": "open", "to": "mitigated"]), to: incident.id,
            actor: "app@h", at: Date())
        #expect(try appStore.incident(incident.id)?.status == .mitigated)
        // The escalation tables, the escalator's lease and its fencing, the driver lease and search, as the
        // application role: what its grants must allow.
        let clock = TestClock()
        let scheduler = EscalationScheduler(
            store: appStore, clock: clock, wallClock: clock, channels: EscalationChannels { _ in ["pagerduty"] },
            actor: "escalator@h")
        let policy = EscalationPolicy(
            rules: [
                EscalationRule(
                    severity: .p1, description: "Partial outage", responseTime: .duration(60), targets: ["On-call"])
            ], contacts: [], channels: [])
        let paged = try scheduler.declare(.sampleForPostgres, policy: policy).0.id
        let token = try #require(
            try appStore.acquireEscalatorLease(
                pid: 1, host: "h", at: clock.now(), staleAfter: 5, isAlive: { _ in true }))
        appStore.fencingToken = token
        #expect(try appStore.heartbeatEscalatorLease(token: token, at: clock.now()))
        clock.advance(by: 61)
        #expect(try scheduler.fireDue().count == 1)
        let claimed = try appStore.claimOutbox(now: clock.now(), limit: { _ in 10 })
        #expect(claimed.count == 1)
        _ = try appStore.recordDelivery(
            claimed[0], result: .sent(detail: "202"), nextAttempt: nil, giveUpReason: nil, actor: "escalator@h",
            at: clock.now())
        #expect(try appStore.outbox(incidentID: paged).map(\.status) == [.sent])
        try appStore.releaseEscalatorLease(token: token, at: clock.now())
        appStore.fencingToken = nil
        guard
            case .acquired(let lease, _) = try appStore.acquireDriverLease(
                incidentID: incident.id, holder: "app@h", pid: 1, host: "h", at: clock.now(), staleAfter: 30,
                force: false, isAlive: { _ in true })
        else {
            Issue.record("the application role could not take the driver lease")
            return
        }
        #expect(try appStore.renewDriverLease(incidentID: incident.id, token: lease.token, at: clock.now()))
        #expect(try appStore.search("application", limit: 5).map(\.kind) == [.note])
        // `runbook serve share` as the application role: make and revoke a share link.
        let links = ShareLinks(store: appStore)
        let link = try links.create(incidentID: incident.id)
        #expect(try links.lookUp(link) == incident.id)
        #expect(try links.revoke(link))
        for statement in [
            "UPDATE events SET actor = 'mallory'", "DELETE FROM events", "DELETE FROM outputs",
            "UPDATE incidents SET title = 'x'", "TRUNCATE events", "DROP TABLE events",
        ] {
            #expect(throws: PostgresStoreError.self, "\(statement)") { try appStore.execute(sql: statement) }
        }
        #expect(try appStore.events(incidentID: incident.id).count == 3)
        for statement in [
            "DELETE FROM timers", "DELETE FROM notification_outbox", "UPDATE search_documents SET text = ''",
        ] {
            #expect(throws: PostgresStoreError.self, "\(statement)") { try appStore.execute(sql: statement) }
        }
    }

    /// Runs SQL as the cluster's superuser (`RUNBOOK_TEST_POSTGRES_ADMIN`, a psql command on its Unix socket).
    private func admin(_ database: String, _ sql: String) throws {
        let command = try #require(environment["RUNBOOK_TEST_POSTGRES_ADMIN"])
        let result = try ProcessRunner.collect(
            process("/bin/sh", ["-c", "\(command) -q -v ON_ERROR_STOP=1 -d \(database)"]), stdin: Data(sql.utf8),
            timeout: 60)
        #expect(result.status == 0, "\(result.stderr)")
    }

    private func process(_ executable: String, _ arguments: [String]) -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        return process
    }
}

extension IncidentDeclaration {
    fileprivate static let sampleForPostgres = IncidentDeclaration(
        title: "Database down", runbook: "database-issues", environment: "production", severity: .p1,
        host: "bastion-1", user: "alice")
}
