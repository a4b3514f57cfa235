import Foundation
import Testing

/// Runs each job on a new thread of its own, never on Swift concurrency's cooperative pool.
///
/// The pool has one thread per core (two on a small CI machine). A synchronous test that waits for a child
/// process, a pipe or a SQLite lock holds a pool thread for as long as it waits, and every other test, and Swift
/// Testing's own bookkeeping, queues behind it: trivial tests then report the blocker's duration as their own.
/// Swift Testing already bounds how many tests run at once, so a thread per job stays a handful of threads.
public final class OwnThreadExecutor: TaskExecutor {
    /// The one executor the tests share.
    public static let shared = OwnThreadExecutor()

    /// The key its threads carry in their `threadDictionary` (a thread's `name` is not reliable on Linux).
    private static let marker = "runbook.test.ownThread"

    /// Whether the caller runs on one of its threads.
    public static var isCurrent: Bool { Thread.current.threadDictionary[marker] as? Bool == true }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        let thread = Thread {
            Thread.current.threadDictionary[Self.marker] = true
            job.runSynchronously(on: executor)
        }
        thread.stackSize = 8 << 20
        thread.start()
    }
}

/// Runs a test, or every test of a suite, on `OwnThreadExecutor`: for tests that block while they wait for another
/// process (`BuiltBinary.run`, tmux, SQLite locks held by other connections).
public struct OwnThreadsTrait: TestTrait, SuiteTrait, TestScoping {
    public var isRecursive: Bool { true }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        try await withTaskExecutorPreference(OwnThreadExecutor.shared) { try await Self.run(function) }
    }

    /// Calls `function` after a hop to the task's preferred executor: a `@concurrent` function always switches
    /// executors, where a plain call would stay on the cooperative thread it was made from.
    @concurrent private static func run(_ function: @Sendable () async throws -> Void) async throws {
        try await function()
    }
}

extension Trait where Self == OwnThreadsTrait {
    /// Runs the test's blocking waits on threads of their own, off Swift concurrency's cooperative pool.
    public static var ownThreads: Self { Self() }
}
