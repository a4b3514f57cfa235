import Foundation
import RunbookTestSupport
import Testing

@testable import RunbookKit
@testable import RunbookPostgres

/// The PostgreSQL store's faults through the built binary: each way a URL can fail says why and what to check
/// (exit 4), and a server restart in the middle of `runbook note --stdin` makes it wait, say so, and go on.
@Suite(
    .enabled(
        if: ProcessInfo.processInfo.environment["RUNBOOK_TEST_POSTGRES"].map { !$0.isEmpty } ?? false,
        "RUNBOOK_TEST_POSTGRES is not set: no PostgreSQL server to test against (.ci/run starts one)"),
    .ownThreads)
struct PostgresFaultsEndToEndTests {
    let environment = ProcessInfo.processInfo.environment
    var baseURL: String { environment["RUNBOOK_TEST_POSTGRES"] ?? "" }

    /// Runs `runbook note 1 x` on `url`, which must fail with exit 4 saying `reason` and `check`.
    func expectRefused(
        _ url: String, reason: String, check: String, environment extra: [String: String] = [:],
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) throws {
        let result = try BuiltBinary.run(
            ["note", "1", "x", "--db", url], environment: ["RUNBOOK_DB": ""].merging(extra) { $1 }, timeout: 60)
        #expect(result.status == 4, "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(
            result.stderr.contains("cannot connect to PostgreSQL: \(reason)"), "\(result.stderr)",
            sourceLocation: sourceLocation)
        #expect(result.stderr.contains(check), "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(!result.stderr.contains(environment["PGPASSWORD"] ?? "\u{0}"), sourceLocation: sourceLocation)
    }

    @Test func anUnknownHostNamesTheHostAndDNS() throws {
        let url = baseURL.replacingOccurrences(of: "@127.0.0.1:", with: "@no-such-host.invalid:")
        try expectRefused(url, reason: "the host name no-such-host.invalid does not resolve", check: "DNS")
    }

    @Test func aPortWithNothingListeningIsConnectionRefused() throws {
        let port = try #require(URLComponents(string: baseURL)?.port)
        let closed = try Self.closedPort()
        let url = baseURL.replacingOccurrences(of: ":\(port)/", with: ":\(closed)/")
        try expectRefused(
            url, reason: "connection refused: nothing listens on 127.0.0.1 port \(closed)",
            check: "is the server running")
    }

    @Test func aWrongPasswordIsAuthenticationWithWhereThePasswordComesFrom() throws {
        try expectRefused(
            baseURL, reason: "authentication failed for user runbook_test: password authentication failed",
            check: "PGPASSWORD, or the line for this host, port, database and user in ~/.pgpass",
            environment: ["PGPASSWORD": "not-the-password"])
        try expectRefused(
            baseURL, reason: "the server asks for a password for user runbook_test, and none was given",
            check: "PGPASSWORD or ~/.pgpass",
            environment: ["PGPASSWORD": "", "PGPASSFILE": "/nonexistent/pgpass"])
    }

    @Test func aDatabaseThatDoesNotExistSaysHowToCreateIt() throws {
        let url = baseURL.replacingOccurrences(of: "/runbook_test?", with: "/no_such_db?")
        try expectRefused(
            url, reason: "database \"no_such_db\" does not exist", check: "CREATE DATABASE no_such_db OWNER")
    }

    @Test func anUntrustedCertificateWithVerifyFullIsTheTLSHandshake() throws {
        let url = baseURL.replacingOccurrences(of: "sslmode=disable", with: "sslmode=verify-full")
        try expectRefused(url, reason: "the TLS handshake failed", check: "valid for the host name in the URL")
    }

    @Test func aServerWithoutTLSRefusesSSLModeRequire() throws {
        let cluster = try PostgresTestCluster()
        try cluster.stop()
        try cluster.start(ssl: false)
        let url = cluster.url.replacingOccurrences(of: "sslmode=disable", with: "sslmode=require")
        try expectRefused(
            url, reason: "the server does not offer TLS, and sslmode requires it", check: "ssl = on",
            environment: ["PGPASSWORD": cluster.password])
    }

    /// The server stops while `note --stdin` runs: the next note waits and says so, nothing is printed for it
    /// until it is committed, and it is committed once the server is back.
    @Test func aNoteWhileTheServerIsStoppedWaitsSaysSoAndSucceedsWhenItIsBack() throws {
        let cluster = try PostgresTestCluster()
        let (store, incident) = try Self.declaredIncident(on: cluster)
        let note = try LiveRunbook(
            ["note", String(incident.id), "--stdin", "--db", cluster.url],
            environment: ["RUNBOOK_DB": "", "PGPASSWORD": cluster.password])
        note.send("before the restart")
        try waitUntil("the first note") { note.text.contains("#2\n") }
        try cluster.stop()
        note.send("while the server is down")
        try waitUntil("store unreachable, retrying", timeout: 30) {
            note.text.contains("store unreachable, retrying")
        }
        #expect(!note.text.contains("#3"), "\(note.text)")
        try cluster.start()
        try waitUntil("the second note", timeout: 60) { note.text.contains("#3\n") }
        #expect(note.text.contains("store reachable again"), "\(note.text)")
        #expect(try note.finish() == 0, "\(note.text)")
        let events = try store.events(incidentID: incident.id)
        #expect(events.map(\.sequence) == [1, 2, 3])
        #expect(events.last?.payload["text"] == "while the server is down")
        let verified = try BuiltBinary.run(
            ["verify", String(incident.id), "--db", cluster.url],
            environment: ["RUNBOOK_DB": "", "PGPASSWORD": cluster.password])
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
    }

    /// The server restarts under `runbook follow`: it says the store is unreachable, waits, listens again once the
    /// server is back, and shows the note recorded after the restart (and nothing twice).
    @Test func followRidesOutAServerRestart() throws {
        let cluster = try PostgresTestCluster()
        let environment = ["RUNBOOK_DB": "", "PGPASSWORD": cluster.password]
        let (store, incident) = try Self.declaredIncident(on: cluster)
        let follower = try LiveRunbook(["follow", String(incident.id), "--db", cluster.url], environment: environment)
        try waitUntil("the follower's timeline") { follower.text.contains("incident.declared") }
        try cluster.restart()
        let note = try BuiltBinary.run(
            ["note", String(incident.id), "after the restart", "--db", cluster.url], environment: environment,
            timeout: 60)
        #expect(note.status == 0, "\(note.stderr)")
        try waitUntil("the note after the restart; the follower printed: \(follower.text)", timeout: 60) {
            follower.text.contains("after the restart")
        }
        #expect(follower.process.isRunning, "\(follower.text)")
        #expect(follower.text.components(separatedBy: "incident.declared").count == 2, "nothing twice")
        let resolved = try BuiltBinary.run(
            ["status", String(incident.id), "resolved", "--db", cluster.url], environment: environment, timeout: 60)
        #expect(resolved.status == 0, "\(resolved.stderr)")
        #expect(try follower.finish() == 0, "\(follower.text)")
    }

    /// A loopback port nothing listens on (bound, then closed).
    /// A store on `cluster` with one incident declared on it, as a responder's `start` would have.
    static func declaredIncident(on cluster: PostgresTestCluster) throws -> (PostgresTranscriptStore, Incident) {
        let store = try PostgresTranscriptStore(
            location: PostgresLocation(url: cluster.url, environment: ["PGPASSWORD": cluster.password]),
            redactor: nil)
        let (incident, _) = try store.declareIncident(
            IncidentDeclaration(
                title: "Database down", runbook: "database-issues", environment: "production", severity: .p1,
                host: "bastion-1", user: "alice"),
            actor: "alice@h", at: Date())
        return (store, incident)
    }

    static func closedPort() throws -> Int {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0
            }
        }
        #expect(bound)
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
