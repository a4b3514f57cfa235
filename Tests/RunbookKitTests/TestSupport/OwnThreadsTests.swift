import Foundation
import RunbookTestSupport
import Testing

/// `.ownThreads` moves a test's blocking waits off Swift concurrency's cooperative pool.
@Suite struct OwnThreadsTests {
    @Test(.ownThreads) func aSynchronousTestRunsOnAThreadOfItsOwn() {
        #expect(OwnThreadExecutor.isCurrent)
    }

    @Test(.ownThreads) func theTasksOfATaskGroupRunOnThreadsOfTheirOwn() async {
        let everyTask = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<4 { group.addTask { OwnThreadExecutor.isCurrent } }
            return await group.reduce(true) { $0 && $1 }
        }
        #expect(everyTask)
    }

    @Test func withoutTheTraitATestRunsOnTheCooperativePool() {
        #expect(!OwnThreadExecutor.isCurrent)
    }
}

/// A suite's trait reaches every test in it.
@Suite(.ownThreads) struct OwnThreadsSuiteTests {
    @Test func aTestOfTheSuiteRunsOnAThreadOfItsOwn() {
        #expect(OwnThreadExecutor.isCurrent)
    }
}
