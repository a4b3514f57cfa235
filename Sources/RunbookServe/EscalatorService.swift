import Foundation
import Logging
import RunbookKit
import ServiceLifecycle

/// The store's escalator (the same `Escalator` as `runbook escalator`) as one service of `runbook serve`: it takes
/// the store's escalator lease and fires timers and delivers notifications until the service stops. When another
/// escalator holds the lease (a `runbook escalator` unit), this one waits and takes over when that one is gone.
/// A graceful shutdown asks it to stop after its current pass; deliveries in flight finish first.
struct EscalatorService: Service {
    /// Makes a new escalator for each attempt (one `Escalator` runs once).
    let makeEscalator: @Sendable () -> Escalator
    let store: any EscalatorStore
    let logger: Logger
    /// How long to wait before asking for the lease again.
    var retryInterval: Duration = .seconds(5)

    /// Never throws: a store that does not answer is said in the log and asked again, while the web side goes on.
    func run() async {
        var waitingSaid = false
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let escalator = makeEscalator()
            let acquired: Bool
            do {
                acquired = try escalator.acquire()
            } catch {
                logger.error("the escalator cannot take the store's lease", metadata: ["error": "\(error)"])
                acquired = false
            }
            if acquired {
                waitingSaid = false
                do {
                    let stop = try await withGracefulShutdownHandler {
                        try await Self.runOnItsOwnThread(escalator)
                    } onGracefulShutdown: {
                        escalator.requestStop()
                    }
                    // The escalator logs its own stop; said here is only that the service waits for the lease again.
                    if stop == .requested { return }
                    logger.notice(
                        "the escalator ended; waiting for the store's lease again", metadata: ["reason": "\(stop)"])
                } catch {
                    logger.error("escalator stopped", metadata: ["error": "\(error)"])
                }
            } else if !waitingSaid {
                let holder = (try? store.escalatorLease()).flatMap { $0 }.map { "pid \($0.pid) on \($0.host)" }
                logger.notice(
                    "another escalator holds the store's lease; this service takes over when it stops",
                    metadata: ["holder": "\(holder ?? "unknown")"])
                waitingSaid = true
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: retryInterval) }
        }
    }

    /// `Escalator.run` blocks (it waits on a condition): it gets a thread of its own, off the cooperative pool.
    static func runOnItsOwnThread(_ escalator: Escalator) async throws -> Escalator.Stop {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                do {
                    continuation.resume(returning: try escalator.run())
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            thread.name = "runbook.escalator"
            thread.start()
        }
    }
}
