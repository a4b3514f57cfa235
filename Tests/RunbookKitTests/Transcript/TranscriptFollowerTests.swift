import Foundation
import RunbookTestSupport
import Testing

@testable import RunbookKit
@testable import RunbookPostgres

@Suite(.ownThreads) struct SQLiteTranscriptFollowerTests {
    let contract = FollowerContract(backend: SQLiteFileBackend())
    @Test func watcherWakes() throws { try contract.aWatcherWakesForACommitOfAnotherConnectionAndOnlyThen() }
    @Test func follows() throws { try contract.theFollowerReturnsEventsAndOutputInOrderUntilTheIncidentCloses() }
    @Test func since() throws { try contract.followingAfterAnEventSkipsWhatCameBeforeIt() }
    @Test func closed() throws { try contract.aClosedIncidentIsClosedFromTheStart() }
}

@Suite(
    .enabled(
        if: PostgresBackend.url != nil,
        "RUNBOOK_TEST_POSTGRES is not set: no PostgreSQL server to test against (.ci/run starts one)"),
    .ownThreads)
struct PostgresTranscriptFollowerTests {
    let contract = FollowerContract(backend: PostgresBackend())
    @Test func watcherWakes() throws { try contract.aWatcherWakesForACommitOfAnotherConnectionAndOnlyThen() }
    @Test func follows() throws { try contract.theFollowerReturnsEventsAndOutputInOrderUntilTheIncidentCloses() }
    @Test func since() throws { try contract.followingAfterAnEventSkipsWhatCameBeforeIt() }
    @Test func closed() throws { try contract.aClosedIncidentIsClosedFromTheStart() }

    /// LISTEN/NOTIFY is per incident and per schema: a commit to another incident, or to the same incident number
    /// in another schema of the database, does not wake the watcher.
    @Test func otherIncidentsAndSchemasDoNotWakeTheWatcher() throws {
        let backend = PostgresBackend()
        let store = try #require(try backend.make(redactor: nil) as? PostgresTranscriptStore)
        let other = try #require(try backend.make(redactor: nil) as? PostgresTranscriptStore)
        let (incident, _) = try store.declareIncident(.sample(), actor: "alice@h", at: Date())
        let (second, _) = try store.declareIncident(.sample(title: "Cache cold"), actor: "alice@h", at: Date())
        _ = try other.declareIncident(.sample(), actor: "alice@h", at: Date())
        let watcher = try store.watcher(incidentID: incident.id)
        _ = try store.append(EventDraft(.noteAdded, payload: ["text": "x"]), to: second.id, actor: "b@h", at: Date())
        _ = try other.append(EventDraft(.noteAdded, payload: ["text": "x"]), to: incident.id, actor: "b@h", at: Date())
        #expect(try !watcher.waitForChange(timeout: 0.5))
        _ = try store.append(EventDraft(.noteAdded, payload: ["text": "y"]), to: incident.id, actor: "b@h", at: Date())
        #expect(try watcher.waitForChange(timeout: 10))
    }

    @Test func theNotifyMigrationInstallsBothTriggers() throws {
        #expect(PostgresMigrations.all.map(\.name).contains("pg3-notify"))
        let store = try #require(try PostgresBackend().make(redactor: nil) as? PostgresTranscriptStore)
        let triggers = try store.reading {
            try store.query(
                """
                SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE '%notify'
                    AND tgrelid::regclass::text IN ('events', 'outputs') ORDER BY tgname
                """
            ).map { try $0.decode(String.self) }
        }
        #expect(triggers == ["events_notify", "outputs_notify"])
    }
}

/// The shared test bodies: a follower in one connection, a writer in another (as another process would).
struct FollowerContract {
    let backend: any StoreBackend

    /// A store to follow with, another on the same database to write with, and a declared incident.
    func stores() throws -> (follower: any WatchableTranscriptStore, writer: any TranscriptStore, incident: Int64) {
        let first = try backend.make(redactor: nil)
        let writer = try backend.another(like: first)
        let follower = try #require(first as? any WatchableTranscriptStore)
        let (incident, _) = try writer.declareIncident(.sample(), actor: "alice@h", at: Date())
        return (follower, writer, incident.id)
    }

    func note(_ text: String, _ writer: any TranscriptStore, _ incident: Int64) throws -> RecordedEvent {
        try writer.append(
            EventDraft(.noteAdded, payload: ["text": .string(text)]), to: incident, actor: "bob@h", at: Date())
    }

    func command(_ writer: any TranscriptStore, _ incident: Int64) throws -> RecordedEvent {
        try writer.append(
            EventDraft(.commandStarted, stepID: "check", payload: ["command": "kubectl get pods"]), to: incident,
            actor: "alice@h", at: Date())
    }

    func chunk(_ text: String, at offset: Double = 0.1) -> OutputChunk {
        OutputChunk(offset: offset, data: Data(text.utf8))
    }

    /// Calls `updates` until `count` updates came, failing when the follower waited 10 s for one in vain.
    func collect(_ follower: TranscriptFollower, count: Int) throws -> [TranscriptFollower.Update] {
        var collected: [TranscriptFollower.Update] = []
        while collected.count < count {
            let updates = try follower.updates(waitingUpTo: 10)
            try #require(!updates.isEmpty, "waited 10 s for update \(collected.count + 1) of \(count): \(collected)")
            collected += updates
        }
        return collected
    }

    func aWatcherWakesForACommitOfAnotherConnectionAndOnlyThen() throws {
        let (store, writer, incident) = try stores()
        let watcher = try store.watcher(incidentID: incident)
        #expect(try !watcher.waitForChange(timeout: 0.3), "nothing was committed")
        // A commit while nobody waits is not lost: the next wait returns at once.
        _ = try note("replica lag 3 s", writer, incident)
        #expect(try watcher.waitForChange(timeout: 10))
        // A commit from another thread while this one waits wakes it.
        Thread {
            _ = try? writer.append(
                EventDraft(.commandStarted, payload: ["command": "true"]), to: incident, actor: "a@h", at: Date())
        }.start()
        #expect(try watcher.waitForChange(timeout: 20))
    }

    func theFollowerReturnsEventsAndOutputInOrderUntilTheIncidentCloses() throws {
        let (store, writer, incident) = try stores()
        let follower = try TranscriptFollower(store: store, incidentID: incident)
        let history = try collect(follower, count: 1)
        guard case .event(let declared) = history.first else { throw Unexpected(history) }
        #expect(declared.type == .incidentDeclared)

        let started = try command(writer, incident)
        try writer.appendOutput(
            [chunk("pod-1 Running\n"), chunk("pod-2 Crash")], incidentID: incident, commandSequence: started.sequence)
        let live = try collect(follower, count: 3)
        #expect(
            live == [
                .event(started), .output(commandSequence: started.sequence, index: 0, chunk: chunk("pod-1 Running\n")),
                .output(commandSequence: started.sequence, index: 1, chunk: chunk("pod-2 Crash")),
            ])

        // The last chunk comes before the finish, then a note from another terminal, then the resolution.
        try writer.appendOutput(
            [chunk("LoopBackOff\n", at: 0.5)], incidentID: incident, commandSequence: started.sequence)
        let finished = try writer.append(
            EventDraft(
                .commandFinished, stepID: "check",
                payload: ["exit_code": 0, "command_sequence": .int(started.sequence)]),
            to: incident, actor: "alice@h", at: Date())
        let noted = try note("it is the config map", writer, incident)
        let resolved = try writer.append(
            EventDraft(.incidentResolved, payload: ["summary": "rolled back"]), to: incident, actor: "alice@h",
            at: Date())
        _ = try? note("after the end", writer, incident)
        let end = try collect(follower, count: 4)
        #expect(
            end == [
                .output(commandSequence: started.sequence, index: 2, chunk: chunk("LoopBackOff\n", at: 0.5)),
                .event(finished), .event(noted), .event(resolved),
            ])
        #expect(follower.isClosed)
        #expect(try follower.updates(waitingUpTo: 10).isEmpty, "nothing after the resolution")
    }

    func followingAfterAnEventSkipsWhatCameBeforeIt() throws {
        let (store, writer, incident) = try stores()
        let started = try command(writer, incident)
        try writer.appendOutput([chunk("old\n")], incidentID: incident, commandSequence: started.sequence)
        let head = try note("before", writer, incident)
        let follower = try TranscriptFollower(store: store, incidentID: incident, after: head.sequence)
        try writer.appendOutput([chunk("new\n")], incidentID: incident, commandSequence: started.sequence)
        let after = try note("after", writer, incident)
        let updates = try collect(follower, count: 2)
        #expect(
            updates == [.event(after), .output(commandSequence: started.sequence, index: 1, chunk: chunk("new\n"))])
    }

    func aClosedIncidentIsClosedFromTheStart() throws {
        let (store, writer, incident) = try stores()
        let closing = try writer.append(
            EventDraft(.statusChanged, payload: ["from": "open", "to": "abandoned", "reason": "drill over"]),
            to: incident, actor: "alice@h", at: Date())
        let afterHead = try TranscriptFollower(store: store, incidentID: incident, after: closing.sequence)
        #expect(afterHead.isClosed)
        let fromStart = try TranscriptFollower(store: store, incidentID: incident)
        let all = try collect(fromStart, count: 2)
        #expect(all.count == 2)
        #expect(fromStart.isClosed)
    }
}

struct Unexpected: Error, CustomStringConvertible {
    let description: String
    init(_ value: Any) { description = "unexpected: \(value)" }
}
