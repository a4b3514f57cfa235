import Foundation
import RunbookTestSupport
import Testing

@testable import RunbookKit
@testable import RunbookPostgres

/// Escalators on several machines for one PostgreSQL store: one active by the advisory lock, the others standing
/// by, and a standby taking over when the active one's session ends (docs/team-store.md).
@Suite(
    .enabled(
        if: PostgresBackend.url != nil,
        "RUNBOOK_TEST_POSTGRES is not set: no PostgreSQL server to test against (.ci/run starts one)"),
    .ownThreads)
struct EscalatorStandbyTests {
    func escalator(_ store: PostgresTranscriptStore, idleExit: TimeInterval? = nil) -> Escalator {
        let scheduler = EscalationScheduler(store: store, actor: "escalator@test")
        return Escalator(
            store: store, scheduler: scheduler, options: Escalator.Options(idleExit: idleExit), log: { _ in })
    }

    @Test func aStandbyWaitsAndTakesOverWhenTheActiveOnesSessionEnds() throws {
        let active = try #require(try PostgresBackend().make(redactor: nil) as? PostgresTranscriptStore)
        let first = escalator(active)
        #expect(try first.acquire())
        // Started on demand (an idle exit), or asked not to wait: it exits at once.
        let other = try PostgresTranscriptStore(location: active.location, redactor: nil)
        #expect(try !escalator(other, idleExit: 60).acquire())
        #expect(try !escalator(other).acquire(standingBy: false))
        // As a service, it stands by until the active one's session is gone.
        let standby = escalator(other)
        let acquired = LockedCounter()
        let done = DispatchSemaphore(value: 0)
        Thread {
            if (try? standby.acquire()) == true { acquired.add(1) }
            done.signal()
        }.start()
        #expect(done.wait(timeout: .now() + 1.5) == .timedOut)
        #expect(acquired.value == 0)
        let pid = try active.query("SELECT pg_backend_pid()")[0].decode(Int32.self)
        try PostgresTranscriptStore(location: active.location, redactor: nil)
            .execute(sql: "SELECT pg_terminate_backend(\(pid))")
        let endedAt = Date()
        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(acquired.value == 1)
        #expect(Date().timeIntervalSince(endedAt) < 2, "a standby retries every second")
        #expect(standby.token == (first.token ?? 0) + 1)
        #expect(try other.escalatorLease()?.token == standby.token)
    }

    /// The active escalator hangs (a paused process keeps its connection open): the server ends its idle session
    /// after twice `staleAfter`, a standby takes over, and the hung one finds at its next heartbeat that it lost.
    @Test func aHungEscalatorsSessionIsEndedAndAStandbyTakesOver() throws {
        let hung = try #require(try PostgresBackend().make(redactor: nil) as? PostgresTranscriptStore)
        let token = try #require(
            try hung.acquireEscalatorLease(pid: 1, host: "h", at: Date(), staleAfter: 0.5, isAlive: { _ in true }))
        hung.fencingToken = token
        let standby = escalator(try PostgresTranscriptStore(location: hung.location, redactor: nil))
        let done = DispatchSemaphore(value: 0)
        let acquired = LockedCounter()
        let started = Date()
        Thread {
            if (try? standby.acquire()) == true { acquired.add(1) }
            done.signal()
        }.start()
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(acquired.value == 1)
        #expect(Date().timeIntervalSince(started) < 4, "idle for 1 s, then a retry within 1 s")
        #expect(standby.token == token + 1)
        // It reconnects, and its fence stops it: no heartbeat, no claim, no firing.
        let fenced: (any Error) -> Bool = { error in
            guard case TranscriptError.fenced = error else { return false }
            return true
        }
        #expect(performing: { try hung.heartbeatEscalatorLease(token: token, at: Date()) }, throws: fenced)
        #expect(performing: { try hung.claimOutbox(now: Date(), limit: { _ in 10 }) }, throws: fenced)
    }

    @Test func aStandbyStopsWaitingWhenAskedTo() throws {
        let active = try #require(try PostgresBackend().make(redactor: nil) as? PostgresTranscriptStore)
        #expect(try escalator(active).acquire())
        let standby = escalator(try PostgresTranscriptStore(location: active.location, redactor: nil))
        let done = DispatchSemaphore(value: 0)
        let acquired = LockedCounter()
        Thread {
            if (try? standby.acquire()) == true { acquired.add(1) }
            done.signal()
        }.start()
        #expect(done.wait(timeout: .now() + 1.2) == .timedOut)
        standby.requestStop()
        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(acquired.value == 0)
    }

    @Test func eachSchemaElectsItsOwnEscalator() throws {
        let team = try #require(try PostgresBackend().make(redactor: nil) as? PostgresTranscriptStore)
        let otherTeam = try #require(try PostgresBackend().make(redactor: nil) as? PostgresTranscriptStore)
        #expect(
            try team.acquireEscalatorLease(pid: 1, host: "h", at: Date(), staleAfter: 5, isAlive: { _ in true }) == 1)
        #expect(
            try otherTeam.acquireEscalatorLease(pid: 2, host: "h", at: Date(), staleAfter: 5, isAlive: { _ in true })
                == 1)
    }
}
