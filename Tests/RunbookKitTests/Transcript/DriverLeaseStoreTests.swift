import Foundation
import RunbookTestSupport
import Testing

@testable import RunbookKit

/// The store's driver leases: one live holder per incident, taken from a dead one, forced by a take-over, and a
/// holder that lost it finds out at its next renewal.
@Suite struct DriverLeaseStoreTests {
    let clock = TestClock()
    let stale: TimeInterval = 30

    func acquire(
        _ store: SQLiteTranscriptStore, _ incident: Int64, holder: String, pid: Int32, host: String = "h",
        force: Bool = false, alive: Bool = true
    ) throws -> DriverLeaseAcquisition {
        try store.acquireDriverLease(
            incidentID: incident, holder: holder, pid: pid, host: host, at: clock.now(), staleAfter: stale,
            force: force, isAlive: { _ in alive })
    }

    @Test(arguments: StoreKind.allCases)
    func aLiveHolderRefusesADeadOneGivesWayAndATakeOverFencesTheFormerHolder(kind: StoreKind) throws {
        let store = try kind.make()
        let id = try store.declareIncident(.sample(), actor: "alice@h", at: clock.now()).0.id
        guard case .acquired(let first, nil) = try acquire(store, id, holder: "alice@h", pid: 10) else {
            Issue.record("the first driver did not get the lease")
            return
        }
        guard case .held(let holder) = try acquire(store, id, holder: "bob@h", pid: 20) else {
            Issue.record("a second driver got the lease of a live one")
            return
        }
        #expect(holder.holder == "alice@h" && holder.pid == 10 && holder.host == "h")
        // Same host, process gone: taken at once, and it was not a take-over of a live holder.
        guard case .acquired(let second, nil) = try acquire(store, id, holder: "bob@h", pid: 20, alive: false) else {
            Issue.record("a dead holder's lease was not taken")
            return
        }
        #expect(second.token == first.token + 1)
        #expect(try store.renewDriverLease(incidentID: id, token: first.token, at: clock.now()) == false)
        // Another host, fresh heartbeat: live; stale: taken.
        guard case .held = try acquire(store, id, holder: "carol@far", pid: 20, host: "far", alive: false) else {
            Issue.record("a fresh holder on another host was not live")
            return
        }
        clock.advance(by: stale + 1)
        guard case .acquired(let third, nil) = try acquire(store, id, holder: "carol@far", pid: 30, host: "far")
        else {
            Issue.record("a stale holder's lease was not taken")
            return
        }
        // A forced take-over names the live holder it replaced.
        guard case .acquired(_, let previous?) = try acquire(store, id, holder: "dan@h", pid: 40, force: true) else {
            Issue.record("a take-over did not name the former holder")
            return
        }
        #expect(previous.token == third.token)
        #expect(try store.renewDriverLease(incidentID: id, token: third.token, at: clock.now()) == false)
    }

    @Test func aReleasedLeaseIsTakenAtOnceAndCannotBeRenewed() throws {
        let store = try StoreKind.memory.make()
        let id = try store.declareIncident(.sample(), actor: "alice@h", at: clock.now()).0.id
        guard case .acquired(let lease, _) = try acquire(store, id, holder: "alice@h", pid: 10) else {
            Issue.record("no lease")
            return
        }
        try store.releaseDriverLease(incidentID: id, token: lease.token, at: clock.now())
        #expect(try store.renewDriverLease(incidentID: id, token: lease.token, at: clock.now()) == false)
        guard case .acquired(_, nil) = try acquire(store, id, holder: "bob@h", pid: 20) else {
            Issue.record("a released lease was not taken")
            return
        }
    }
}
