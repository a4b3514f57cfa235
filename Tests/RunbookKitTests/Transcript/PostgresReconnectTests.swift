import Foundation
import RunbookTestSupport
import Testing

@testable import RunbookKit
@testable import RunbookPostgres

/// The PostgreSQL store when its server goes away: a private cluster per test (`PostgresTestCluster`), restarted
/// and stopped under a store that is in use.
@Suite(
    .enabled(
        if: PostgresTestCluster.isAvailable,
        "RUNBOOK_TEST_POSTGRES is not set: no PostgreSQL to start a private cluster with (.ci/run installs it)"),
    .ownThreads)
struct PostgresReconnectTests {
    /// What `reachabilityChanged` was told, in order.
    final class Reports: @unchecked Sendable {
        private let lock = NSLock()
        private var states: [PostgresTranscriptStore.StoreReachability] = []
        func add(_ state: PostgresTranscriptStore.StoreReachability) { lock.withLock { states.append(state) } }
        var all: [PostgresTranscriptStore.StoreReachability] { lock.withLock { states } }
        var kinds: [String] {
            all.map {
                if case .unreachable = $0 { return "unreachable" }
                return "reachable"
            }
        }
    }

    func store(_ cluster: PostgresTestCluster, reports: Reports, retry: TimeInterval = 60) throws
        -> PostgresTranscriptStore
    {
        try PostgresTranscriptStore(
            location: PostgresLocation(url: cluster.url, environment: ["PGPASSWORD": cluster.password]),
            redactor: nil, reconnectTimeout: retry, reachabilityChanged: { reports.add($0) })
    }

    func expectGaplessAndIntact(_ store: PostgresTranscriptStore, _ id: Int64, count: Int) throws {
        let events = try store.events(incidentID: id)
        #expect(events.map(\.sequence) == Array(1...Int64(count)))
        #expect(try store.verify(incidentID: id).isIntact)
    }

    @Test func aStoreSurvivesAServerRestartBetweenAppends() throws {
        let cluster = try PostgresTestCluster()
        let reports = Reports()
        let store = try store(cluster, reports: reports)
        let (incident, _) = try store.declareIncident(.sample(), actor: "alice@h", at: Date())
        _ = try store.append(
            EventDraft(.noteAdded, payload: ["text": "before"]), to: incident.id, actor: "a", at: Date())
        try cluster.restart()
        let after = try store.append(
            EventDraft(.noteAdded, payload: ["text": "after"]), to: incident.id, actor: "a", at: Date())
        #expect(after.sequence == 3)
        // The server was back before the append: it reconnected at once, and nobody had to wait.
        #expect(reports.kinds == [])
        try expectGaplessAndIntact(store, incident.id, count: 3)
    }

    @Test func anAppendWhileTheServerIsDownWaitsReportsOnceAndCommitsWhenItIsBack() throws {
        let cluster = try PostgresTestCluster()
        let reports = Reports()
        let store = try store(cluster, reports: reports)
        let (incident, _) = try store.declareIncident(.sample(), actor: "alice@h", at: Date())
        try cluster.stop()
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var outcome: Result<RecordedEvent, any Error>?
        Thread.detachNewThread {
            outcome = Result {
                try store.append(
                    EventDraft(.noteAdded, payload: ["text": "while down"]), to: incident.id, actor: "a", at: Date())
            }
            done.signal()
        }
        try waitUntil("the store to report the server unreachable") { reports.kinds == ["unreachable"] }
        #expect(outcome == nil, "the append returned while the server was down")
        try cluster.start()
        #expect(done.wait(timeout: .now() + 60) == .success, "the append did not finish after the server came back")
        #expect(try outcome?.get().sequence == 2)
        #expect(reports.kinds == ["unreachable", "reachable"])
        try expectGaplessAndIntact(store, incident.id, count: 2)
    }

    @Test func aStoreGivesUpAfterItsRetryTimeWithExitStatus4() throws {
        let cluster = try PostgresTestCluster()
        let reports = Reports()
        let store = try store(cluster, reports: reports, retry: 0.5)
        let (incident, _) = try store.declareIncident(.sample(), actor: "alice@h", at: Date())
        try cluster.stop()
        #expect {
            try store.append(EventDraft(.noteAdded, payload: ["text": "x"]), to: incident.id, actor: "a", at: Date())
        } throws: { error in
            guard case PostgresStoreError.gaveUp = error else { return false }
            return (error as? PostgresStoreError)?.exitStatus == .database
        }
        #expect(reports.kinds == ["unreachable"])
    }

    /// The connection drops after COMMIT was sent: the store asks the database whether its event is there, and
    /// neither loses nor duplicates it, whichever way it went.
    @Test(arguments: [CommitFault.replyLost, .lostBeforeCommit])
    func aConnectionLostAroundCommitNeitherLosesNorDuplicates(_ fault: CommitFault) throws {
        let location = try PostgresLocation(url: try #require(PostgresBackend.url))
        let schema = "r_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try PostgresTranscriptStore(location: location, redactor: nil).execute(sql: "CREATE SCHEMA \(schema)")
        var scoped = location
        scoped.options = "-c search_path=\(schema)"
        let reports = Reports()
        let store = try PostgresTranscriptStore(
            location: scoped, redactor: nil, reconnectTimeout: 30, reachabilityChanged: { reports.add($0) })
        let (incident, _) = try store.declareIncident(.sample(), actor: "alice@h", at: Date())
        store.commitFault.set(fault)
        let note = try store.append(
            EventDraft(.noteAdded, payload: ["text": "exactly once"]), to: incident.id, actor: "a", at: Date())
        #expect(note.sequence == 2)
        try expectGaplessAndIntact(store, incident.id, count: 2)
        #expect(reports.kinds == ["unreachable", "reachable"])
        // Output batches and declarations are resolved the same way.
        let command = try store.append(
            EventDraft(.commandStarted, payload: ["command": "uptime"]), to: incident.id, actor: "a", at: Date())
        store.commitFault.set(fault)
        try store.appendOutput(
            [OutputChunk(offset: 0, data: Data("up 3 days\n".utf8))], incidentID: incident.id,
            commandSequence: command.sequence)
        #expect(try store.output(incidentID: incident.id, commandSequence: command.sequence).count == 1)
        store.commitFault.set(fault)
        let (second, _) = try store.declareIncident(.sample(title: "Second"), actor: "alice@h", at: Date())
        #expect(try store.incidents(openOnly: false, drillsOnly: false).map(\.id).sorted() == [incident.id, second.id])
    }
}
