import Foundation
import PostgresNIO
import RunbookKit

extension PostgresTranscriptStore: WatchableTranscriptStore {
    /// A watcher that LISTENs on the incident's channel (`pg3-notify`) on a connection of its own: a follower
    /// wakes when a writer on any machine commits, and never polls.
    public func watcher(incidentID: Int64) throws -> any TranscriptWatching {
        try PostgresNotificationWatcher(location: location, incidentID: incidentID)
    }

    public func output(incidentID: Int64, commandSequence: Int64, fromChunk first: Int) throws -> [OutputChunk] {
        try reading {
            try query(
                """
                SELECT offset_ms, data FROM outputs
                WHERE incident = \(incidentID) AND command_seq = \(commandSequence) AND chunk_index >= \(Int64(first))
                ORDER BY chunk_index
                """
            ).map {
                let (offset, data) = try $0.decode((Int64, Data).self)
                return OutputChunk(offset: Double(offset) / 1000, data: data)
            }
        }
    }
}

/// Waits for the notifications the `pg3-notify` triggers send at each commit of an incident's events or output
/// (channel `runbook_incident_<id>`, payload `<schema> <table> <seq>`), on a connection that does nothing else.
///
/// When that connection is lost (the server restarts), the next wait listens again on a new one and reports a
/// change, so the follower reads what it may have missed. While the server is away, listening again fails: the wait
/// then reports a change all the same, and the follower's read, which retries as every read of the store does
/// ("store unreachable, retrying", for `RUNBOOK_DB_RETRY` seconds), waits for the server.
final class PostgresNotificationWatcher: TranscriptWatching, @unchecked Sendable {
    /// What the connection's event loop tells the waiting thread.
    private final class Signal: @unchecked Sendable {
        let condition = NSCondition()
        /// Guarded by `condition`.
        var changed = false
        var closed = false

        func set(_ change: (Signal) -> Void) {
            condition.withLock {
                change(self)
                condition.broadcast()
            }
        }
    }

    /// One LISTEN connection and what it tells.
    private struct Listening {
        let connection: PostgresConnection
        let context: PostgresListenContext
        let signal: Signal

        func stop() {
            context.stop()
            try? connection.close().wait()
        }
    }

    private let location: PostgresLocation
    private let channel: String
    /// Only the follower's thread uses it.
    private var listening: Listening?

    init(location: PostgresLocation, incidentID: Int64) throws {
        self.location = location
        channel = "runbook_incident_\(incidentID)"
        listening = try Self.listen(location: location, channel: channel)
    }

    deinit {
        listening?.stop()
    }

    /// A new connection that LISTENs on `channel`.
    private static func listen(location: PostgresLocation, channel: String) throws -> Listening {
        var logger = Logger(label: "runbook.postgres.follow")
        logger.logLevel = .critical
        let connection = try PostgresTranscriptStore.connect(to: location, timeout: 10, logger: logger)
        let schema: String
        do {
            schema =
                try connection.query("SELECT current_schema()", logger: logger).wait().first?
                .decode(String.self) ?? "public"
        } catch {
            try? connection.close().wait()
            throw PostgresStoreError.server(location: location.description, detail: PostgresStoreError.reason(error))
        }
        let prefix = schema + " "
        let signal = Signal()
        let context = connection.addListener(channel: channel) { _, notification in
            guard notification.payload.hasPrefix(prefix) else { return }
            signal.set { $0.changed = true }
        }
        connection.closeFuture.whenComplete { _ in signal.set { $0.closed = true } }
        do {
            // `addListener` sends LISTEN on its own; this statement runs after it on the same connection, so when it
            // returns the server is listening, before the follower reads anything.
            try connection.query(PostgresQuery(unsafeSQL: "LISTEN \(channel)"), logger: logger).wait()
        } catch {
            context.stop()
            try? connection.close().wait()
            throw PostgresStoreError.server(location: location.description, detail: PostgresStoreError.reason(error))
        }
        return Listening(connection: connection, context: context, signal: signal)
    }

    func waitForChange(timeout: TimeInterval) throws -> Bool {
        guard let current = listening else { return try listenAgain(within: timeout) }
        let deadline = Date().addingTimeInterval(timeout)
        let signal = current.signal
        let (changed, closed) = signal.condition.withLock { () -> (Bool, Bool) in
            while !signal.changed && !signal.closed {
                guard signal.condition.wait(until: deadline) else { break }
            }
            defer { signal.changed = false }
            return (signal.changed, signal.closed)
        }
        if closed {
            current.stop()
            listening = nil
            return try listenAgain(within: timeout)
        }
        return changed
    }

    /// Listens on a new connection; `true` (something may have been missed) whether or not that worked yet. A
    /// failure that may pass (the server restarting) is tried again at the next wait, after a pause; any other
    /// (the password changed meanwhile) is thrown.
    private func listenAgain(within timeout: TimeInterval) throws -> Bool {
        do {
            listening = try Self.listen(location: location, channel: channel)
        } catch PostgresStoreError.cannotConnect(_, let failure) where failure.isTransient {
            Thread.sleep(forTimeInterval: min(max(timeout, 0), 1))
        } catch let error as PostgresStoreError {
            if case .server = error {
                Thread.sleep(forTimeInterval: min(max(timeout, 0), 1))
            } else {
                throw error
            }
        }
        return true
    }
}
