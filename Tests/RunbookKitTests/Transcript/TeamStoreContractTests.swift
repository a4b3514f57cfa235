import Foundation
import RunbookTestSupport
import Testing

@testable import RunbookKit
@testable import RunbookPostgres

/// What every `TeamStore` shares beyond the transcript (escalation, the escalator's lease and its fencing, driver
/// leases, search), run against an SQLite file and against PostgreSQL (`RUNBOOK_TEST_POSTGRES`), as
/// `StoreContract` is for the transcript.
@Suite struct SQLiteTeamStoreContractTests {
    let contract = TeamStoreContract(backend: SQLiteFileBackend())
    @Test func declareArms() throws { try contract.declaringArmsTheResponseTimerInTheSameTransaction() }
    @Test func fireOnce() throws { try contract.aDueTimerFiresOnceWithItsEventNextTimerAndOutboxRow() }
    @Test(.ownThreads) func twoFirers() throws { try contract.twoStoresFiringTheSameDueTimerAtOnceFireItOnce() }
    @Test func outbox() throws { try contract.anAcknowledgementWaitsForItsEscalationAndDeliveriesAreRecorded() }
    @Test func drillClock() throws { try contract.aDrillsTimerIsDueOnTheWallClockThroughItsIncidentClock() }
    @Test func escalatorLease() throws { try contract.oneEscalatorHoldsTheLeaseAndAReleaseLetsTheNextTakeItOver() }
    @Test func fencing() throws { try contract.anEscalatorThatLostItsLeaseCanNeverCommitAgain() }
    @Test func driverLease() throws { try contract.theDriverLeaseHoldsAcrossTwoStoresAndMovesOnRelease() }
    @Test(.ownThreads) func driverRace() throws { try contract.twoStoresAskingForTheDriverLeaseAtOnceGetItOnce() }
    @Test func search() throws { try contract.searchFindsNotesCommandsAndStrippedOutputNewestFirst() }
    @Test func searchLimit() throws { try contract.onlyTheFirstMebibyteOfACommandsOutputIsSearchable() }
}

@Suite(
    .enabled(
        if: PostgresBackend.url != nil,
        "RUNBOOK_TEST_POSTGRES is not set: no PostgreSQL server to test against (.ci/run starts one)"),
    .ownThreads)
struct PostgresTeamStoreContractTests {
    let contract = TeamStoreContract(backend: PostgresBackend())
    @Test func declareArms() throws { try contract.declaringArmsTheResponseTimerInTheSameTransaction() }
    @Test func fireOnce() throws { try contract.aDueTimerFiresOnceWithItsEventNextTimerAndOutboxRow() }
    @Test func twoFirers() throws { try contract.twoStoresFiringTheSameDueTimerAtOnceFireItOnce() }
    @Test func outbox() throws { try contract.anAcknowledgementWaitsForItsEscalationAndDeliveriesAreRecorded() }
    @Test func drillClock() throws { try contract.aDrillsTimerIsDueOnTheWallClockThroughItsIncidentClock() }
    @Test func escalatorLease() throws { try contract.oneEscalatorHoldsTheLeaseAndAReleaseLetsTheNextTakeItOver() }
    @Test func fencing() throws { try contract.anEscalatorThatLostItsLeaseCanNeverCommitAgain() }
    @Test func driverLease() throws { try contract.theDriverLeaseHoldsAcrossTwoStoresAndMovesOnRelease() }
    @Test func driverRace() throws { try contract.twoStoresAskingForTheDriverLeaseAtOnceGetItOnce() }
    @Test func search() throws { try contract.searchFindsNotesCommandsAndStrippedOutputNewestFirst() }
    @Test func searchLimit() throws { try contract.onlyTheFirstMebibyteOfACommandsOutputIsSearchable() }
}

/// The shared test bodies.
struct TeamStoreContract {
    let backend: any StoreBackend
    let clock = TestClock()

    func make() throws -> any TeamStore { try #require(try backend.make(redactor: nil) as? any TeamStore) }

    func another(like store: any TeamStore) throws -> any TeamStore {
        try #require(try backend.another(like: store) as? any TeamStore)
    }

    func scheduler(_ store: any TeamStore) -> EscalationScheduler {
        EscalationScheduler(
            store: store, clock: clock, wallClock: clock, channels: EscalationChannels { _ in ["pagerduty"] },
            actor: "escalator@test")
    }

    /// A P0 (15 minutes to respond) with the seed's matrix.
    func declare(_ scheduler: EscalationScheduler, drill: DrillSetup? = nil) throws -> Int64 {
        try scheduler.declare(
            IncidentDeclaration(
                title: "Site down", runbook: "outage", environment: "staging", severity: .p0, isDrill: drill != nil,
                host: "bastion", user: "alice", drillSetup: drill?.payload),
            policy: EscalationFixtures.policy
        ).0.id
    }

    func declaringArmsTheResponseTimerInTheSameTransaction() throws {
        let store = try make()
        let id = try declare(scheduler(store))
        let timers = try store.timers(incidentID: id)
        #expect(timers.count == 1)
        #expect(timers.first?.status == .pending && timers.first?.generation == 1 && timers.first?.kind == .response)
        #expect(timers.first?.deadline == clock.now().addingTimeInterval(900))
        #expect(timers.first?.dueReal == clock.now().addingTimeInterval(900))
        #expect(try store.nextTimerDue() == clock.now().addingTimeInterval(900))
        let state = try #require(try store.escalationState(incidentID: id))
        #expect(state.severity == .p0 && !state.isAcknowledged && state.pendingTimer?.generation == 1)
        #expect(try store.escalationState(incidentID: id + 100) == nil)
        let load = try store.escalatorWorkload()
        #expect(load.openIncidents == 1 && load.pendingTimers == 1 && load.pendingNotifications == 0)
    }

    func aDueTimerFiresOnceWithItsEventNextTimerAndOutboxRow() throws {
        let store = try make()
        let scheduler = scheduler(store)
        let id = try declare(scheduler)
        clock.advance(by: 899)
        #expect(try scheduler.fireDue().isEmpty)
        clock.advance(by: 2)
        let reports = try scheduler.fireDue()
        #expect(reports.map(\.incidentID) == [id])
        let triggered = try #require(reports.first?.events.first { $0.type == .escalationTriggered })
        #expect(triggered.payload["channels"] == ["pagerduty"])
        #expect(try scheduler.fireDue().isEmpty)
        #expect(try store.timers(incidentID: id).map(\.status) == [.fired, .pending])
        let outbox = try store.outbox(incidentID: id)
        #expect(outbox.map(\.channel) == ["pagerduty"])
        #expect(outbox.first?.status == .pending && outbox.first?.notification.kind == .escalation)
        // The notification carries the chain head as its transaction left it.
        let head = try #require(try store.chainHead(incidentID: id))
        #expect(outbox.first?.notification.chainHead == head)
        let state = try #require(try store.escalationState(incidentID: id))
        #expect(state.escalationCount == 1 && !state.paged.isEmpty)
    }

    /// Two store instances (two escalators' connections, as on two machines) fire the same due timer at once: one
    /// firing, one event, one outbox row; the other decides on what the first committed.
    func twoStoresFiringTheSameDueTimerAtOnceFireItOnce() throws {
        let store = try make()
        let id = try declare(scheduler(store))
        clock.advance(by: 901)
        let schedulers = [scheduler(store), scheduler(try another(like: store))]
        let failures = LockedErrors()
        let fired = LockedCounter()
        let group = DispatchGroup()
        for scheduler in schedulers {
            group.enter()
            Thread { [clock] in
                do {
                    fired.add(try scheduler.fireDueAcrossIncidents(at: clock.now()).count)
                } catch { failures.append(error) }
                group.leave()
            }.start()
        }
        #expect(group.wait(timeout: .now() + 60) == .success)
        #expect(failures.errors.isEmpty, "\(failures.errors)")
        #expect(fired.value == 1)
        #expect(try store.events(incidentID: id).filter { $0.type == .escalationTriggered }.count == 1)
        #expect(try store.outbox(incidentID: id).count == 1)
        #expect(try store.timers(incidentID: id).map(\.status) == [.fired, .pending])
    }

    func anAcknowledgementWaitsForItsEscalationAndDeliveriesAreRecorded() throws {
        let store = try make()
        let scheduler = scheduler(store)
        let id = try declare(scheduler)
        clock.advance(by: 901)
        _ = try scheduler.fireDue()
        _ = try scheduler.acknowledge(incidentID: id, by: "bob")
        #expect(try store.timers(incidentID: id).map(\.status) == [.fired, .cancelled])
        #expect(try store.outbox(incidentID: id).map(\.notification.kind) == [.escalation, .acknowledge])
        // Only the escalation is eligible: the acknowledgement never overtakes it on its channel.
        let claimed = try store.claimOutbox(now: clock.now(), limit: { _ in 10 })
        #expect(claimed.map(\.notification.kind) == [.escalation])
        #expect(claimed.first?.status == .sending)
        #expect(try store.claimOutbox(now: clock.now(), limit: { _ in 10 }).isEmpty)
        #expect(try store.nextOutboxAttempt() == nil)
        let retry = clock.now().addingTimeInterval(2)
        let failed = try store.recordDelivery(
            claimed[0], result: .retryable(error: "HTTP 500"), nextAttempt: retry, giveUpReason: nil,
            actor: "escalator@test", at: clock.now())
        #expect(failed.type == .notificationFailed && failed.payload["will_retry"] == true)
        #expect(try store.nextOutboxAttempt() == retry)
        clock.advance(by: 2)
        let again = try store.claimOutbox(now: clock.now(), limit: { _ in 10 })
        #expect(again.map(\.attempts) == [1])
        let sent = try store.recordDelivery(
            again[0], result: .sent(detail: "202"), nextAttempt: nil, giveUpReason: nil, actor: "escalator@test",
            at: clock.now())
        #expect(sent.type == .notificationSent && sent.payload["attempt"] == 2)
        let ack = try store.claimOutbox(now: clock.now(), limit: { _ in 10 })
        #expect(ack.map(\.notification.kind) == [.acknowledge])
        _ = try store.recordDelivery(
            ack[0], result: .permanent(error: "HTTP 400"), nextAttempt: nil, giveUpReason: nil, actor: "escalator@test",
            at: clock.now())
        #expect(try store.outbox(incidentID: id).map(\.status) == [.sent, .failed])
        #expect(try store.outbox(incidentID: id).last?.lastError == "HTTP 400")
        #expect(try store.escalatorWorkload().pendingNotifications == 0)
    }

    func aDrillsTimerIsDueOnTheWallClockThroughItsIncidentClock() throws {
        let store = try make()
        let origin = Date()
        let setup = DrillSetup(speed: 600, clockOrigin: origin)
        let drill = try declare(
            EscalationScheduler(store: store, clock: setup.clock, wallClock: setup.clock, actor: "runbook@test"),
            drill: setup)
        let incidentClock = try #require(try store.incidentClock(incidentID: drill))
        #expect(incidentClock.speed == 600)
        #expect(abs((incidentClock.origin ?? .distantPast).timeIntervalSince(origin)) < 0.001)
        // 15 minutes of drill time are 1.5 s of real time.
        let timer = try #require(try store.pendingTimers(dueBy: nil, incidentID: drill).first)
        let due = try #require(timer.dueReal)
        #expect(abs(due.timeIntervalSince(origin) - 1.5) < 0.1)
        #expect(try store.pendingTimers(dueByRealTime: due.addingTimeInterval(-0.01)).isEmpty)
        #expect(try store.pendingTimers(dueByRealTime: due).map(\.incidentID) == [drill])
        #expect(try store.pendingTimers(dueBy: timer.deadline, incidentID: nil).map(\.incidentID) == [drill])
        #expect(try store.pendingTimers(dueBy: timer.deadline.addingTimeInterval(-1), incidentID: nil).isEmpty)
    }

    func oneEscalatorHoldsTheLeaseAndAReleaseLetsTheNextTakeItOver() throws {
        let first = try make()
        let second = try another(like: first)
        #expect(try first.escalatorLease() == nil)
        let token = try #require(
            try first.acquireEscalatorLease(pid: 100, host: "h", at: clock.now(), staleAfter: 5, isAlive: { _ in true })
        )
        #expect(
            try second.acquireEscalatorLease(
                pid: 200, host: "h", at: clock.now(), staleAfter: 5, isAlive: { _ in true })
                == nil)
        #expect(try first.heartbeatEscalatorLease(token: token, at: clock.now()))
        let lease = try #require(try second.escalatorLease())
        #expect(lease.token == token && lease.pid == 100 && lease.host == "h" && lease.releasedAt == nil)
        // A row the holder was sending goes back to pending when the next one takes over.
        let id = try declare(scheduler(first))
        clock.advance(by: 901)
        _ = try scheduler(first).fireDue()
        #expect(try first.claimOutbox(now: clock.now(), limit: { _ in 10 }).count == 1)
        try first.releaseEscalatorLease(token: token, at: clock.now())
        #expect(try first.escalatorLease()?.releasedAt == clock.now())
        let next = try second.acquireEscalatorLease(
            pid: 200, host: "h", at: clock.now(), staleAfter: 5, isAlive: { _ in true })
        #expect(next == token + 1)
        #expect(try second.outbox(incidentID: id).map(\.status) == [.pending])
        #expect(try first.heartbeatEscalatorLease(token: token, at: clock.now()) == false)
    }

    /// The holder's process died (SQLite: its pid is gone; PostgreSQL: its session, so the advisory lock, is
    /// gone), another escalator took over: every later write of the old one, whatever it is, is refused.
    func anEscalatorThatLostItsLeaseCanNeverCommitAgain() throws {
        let old = try make()
        let id = try declare(scheduler(old))
        let oldToken = try #require(
            try old.acquireEscalatorLease(pid: 100, host: "h", at: clock.now(), staleAfter: 5, isAlive: { _ in true }))
        old.fencingToken = oldToken
        try backend.endSession(of: old)
        let new = try another(like: old)
        let newToken = try #require(
            try new.acquireEscalatorLease(pid: 200, host: "h", at: clock.now(), staleAfter: 5, isAlive: { $0 != 100 }))
        new.fencingToken = newToken
        #expect(newToken == oldToken + 1)
        clock.advance(by: 901)
        let fenced: (any Error) -> Bool = { error in
            if case TranscriptError.fenced(_, let token, let holder) = error {
                return token == oldToken && holder == newToken
            }
            return false
        }
        #expect(performing: { try scheduler(old).fireDue() }, throws: fenced)
        #expect(performing: { try old.claimOutbox(now: clock.now(), limit: { _ in 10 }) }, throws: fenced)
        #expect(performing: { try old.heartbeatEscalatorLease(token: oldToken, at: clock.now()) }, throws: fenced)
        #expect(try old.events(incidentID: id).count == 1)
        // The new holder fires it, once.
        #expect(try scheduler(new).fireDue().count == 1)
        #expect(try new.events(incidentID: id).filter { $0.type == .escalationTriggered }.count == 1)
    }

    func theDriverLeaseHoldsAcrossTwoStoresAndMovesOnRelease() throws {
        let alice = try make()
        let bob = try another(like: alice)
        let id = try alice.declareIncident(.sample(), actor: "alice@h", at: clock.now()).0.id
        #expect(try alice.driverLease(incidentID: id) == nil)
        func acquire(_ store: any TeamStore, _ holder: String, pid: Int32, host: String) throws
            -> DriverLeaseAcquisition
        {
            try store.acquireDriverLease(
                incidentID: id, holder: holder, pid: pid, host: host, at: clock.now(), staleAfter: 30, force: false,
                isAlive: { _ in true })
        }
        guard case .acquired(let first, nil) = try acquire(alice, "alice@a", pid: 10, host: "a") else {
            Issue.record("the first driver did not get the lease")
            return
        }
        guard case .held(let holder) = try acquire(bob, "bob@b", pid: 20, host: "b") else {
            Issue.record("a second machine got the lease of a live driver")
            return
        }
        #expect(holder == first)
        #expect(try bob.driverLease(incidentID: id) == first)
        clock.advance(by: 20)
        #expect(try alice.renewDriverLease(incidentID: id, token: first.token, at: clock.now()))
        clock.advance(by: 20)
        guard case .held = try acquire(bob, "bob@b", pid: 20, host: "b") else {
            Issue.record("a renewed lease was taken")
            return
        }
        try alice.releaseDriverLease(incidentID: id, token: first.token, at: clock.now())
        guard case .acquired(let second, nil) = try acquire(bob, "bob@b", pid: 20, host: "b") else {
            Issue.record("a released lease was not taken")
            return
        }
        #expect(second.token == first.token + 1 && second.holder == "bob@b")
        #expect(try alice.renewDriverLease(incidentID: id, token: first.token, at: clock.now()) == false)
        guard
            case .acquired(_, let previous?) = try bob.acquireDriverLease(
                incidentID: id, holder: "carol@c", pid: 30, host: "c", at: clock.now(), staleAfter: 30, force: true,
                isAlive: { _ in true })
        else {
            Issue.record("a take-over did not name the holder it replaced")
            return
        }
        #expect(previous == second)
    }

    func twoStoresAskingForTheDriverLeaseAtOnceGetItOnce() throws {
        let store = try make()
        let stores = [store, try another(like: store)]
        let id = try store.declareIncident(.sample(), actor: "alice@h", at: clock.now()).0.id
        let acquired = LockedCounter()
        let failures = LockedErrors()
        let group = DispatchGroup()
        for (number, store) in stores.enumerated() {
            group.enter()
            Thread { [clock] in
                do {
                    let result = try store.acquireDriverLease(
                        incidentID: id, holder: "d\(number)@h", pid: Int32(10 + number), host: "h\(number)",
                        at: clock.now(), staleAfter: 30, force: false, isAlive: { _ in true })
                    if case .acquired = result { acquired.add(1) }
                } catch { failures.append(error) }
                group.leave()
            }.start()
        }
        #expect(group.wait(timeout: .now() + 60) == .success)
        #expect(failures.errors.isEmpty, "\(failures.errors)")
        #expect(acquired.value == 1)
        #expect(try store.driverLease(incidentID: id)?.token == 1)
    }

    func searchFindsNotesCommandsAndStrippedOutputNewestFirst() throws {
        let store = try make()
        let (incident, _) = try store.declareIncident(.sample(), actor: "a@h", at: clock.now())
        clock.advance(by: 1)
        let started = try store.append(
            EventDraft(.commandStarted, stepID: "restart-db", payload: ["command": "systemctl restart postgresql"]),
            to: incident.id, actor: "a@h", at: clock.now())
        try store.appendOutput(
            [OutputChunk(offset: 0.5, data: Data("\u{1B}[31mFATAL\u{1B}[0m: connection refused\r\n".utf8))],
            incidentID: incident.id, commandSequence: started.sequence)
        clock.advance(by: 5)
        let note = try store.append(
            EventDraft(.noteAdded, payload: ["text": "postgresql restarted, replica lag 3s"]), to: incident.id,
            actor: "a@h", at: clock.now())
        let hits = try store.search("postgresql", limit: 20)
        #expect(hits.map(\.kind) == [.note, .command])
        #expect(hits.map(\.sequence) == [note.sequence, started.sequence])
        #expect(hits.map(\.incidentTitle) == ["Database down", "Database down"])
        #expect(hits[0].timestamp == note.timestamp)
        #expect(hits[1].stepID == "restart-db")
        #expect(hits[1].snippet.contains("[postgresql]"))
        #expect(try store.search("postgresql", limit: 1).map(\.kind) == [.note])
        let output = try store.search("fatal refused", limit: 20)
        #expect(output.map(\.kind) == [.output])
        #expect(output.first?.sequence == started.sequence)
        #expect(output.first?.snippet.contains("\u{1B}") == false)
        #expect(try store.search("restarting", limit: 20).count == 2)  // stemming
        #expect(try store.search("postgre*", limit: 20).count == 2)  // a prefix
        #expect(try store.search("postgre", limit: 20).isEmpty)  // not a prefix without `*`
        #expect(try store.search("replica* lag", limit: 20).map(\.kind) == [.note])
        // Shell text and query operators are searched as words, never a syntax error.
        #expect(try store.search("kubectl -n \"prod", limit: 20).isEmpty)
        #expect(try store.search("!postgresql | (refused) <-> 'x' & :*", limit: 20).isEmpty)
        #expect(try store.search("postgresql OR kubectl", limit: 20).isEmpty)
        #expect(try store.search("  * -- ", limit: 20).isEmpty)
    }

    func onlyTheFirstMebibyteOfACommandsOutputIsSearchable() throws {
        let store = try make()
        let (incident, _) = try store.declareIncident(.sample(), actor: "a@h", at: clock.now())
        let started = try store.append(
            EventDraft(.commandStarted, payload: ["command": "cat big.log"]), to: incident.id, actor: "a@h",
            at: clock.now())
        // 360 KiB batches of two chunks: the word of the fourth batch begins past the first MiB.
        let block = Data(String(repeating: "filler ", count: 360 * 1024 / 7).utf8)
        let words = ["alphaword", "betaword", "gammaword", "deltaword"]
        for (batch, word) in words.enumerated() {
            try store.appendOutput(
                [
                    OutputChunk(offset: Double(batch), data: Data((word + "\n").utf8)),
                    OutputChunk(offset: Double(batch) + 0.5, data: block),
                ], incidentID: incident.id, commandSequence: started.sequence)
        }
        let chunks = try store.output(incidentID: incident.id, commandSequence: started.sequence)
        #expect(chunks.count == 8)
        #expect(chunks.map(\.offset) == [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5])
        for word in words.prefix(3) { #expect(try store.search(word, limit: 20).count == 1, "\(word)") }
        #expect(try store.search("deltaword", limit: 20).isEmpty)
    }
}

extension StoreBackend {
    /// Ends the escalator session of `store`'s process as its death would: on PostgreSQL the session's advisory
    /// lock is freed (its connection stays open, so that the test can see what its later writes do); on SQLite
    /// the process's liveness is what `isAlive` says.
    func endSession(of store: any TeamStore) throws {
        if let store = store as? PostgresTranscriptStore { try store.execute(sql: "SELECT pg_advisory_unlock_all()") }
    }
}

/// A count kept from several threads.
final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add(_ value: Int) { lock.withLock { count += value } }
    var value: Int { lock.withLock { count } }
}
