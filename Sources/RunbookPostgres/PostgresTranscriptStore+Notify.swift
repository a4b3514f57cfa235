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

    private let connection: PostgresConnection
    private let location: PostgresLocation
    private let listening: PostgresListenContext
    private let signal = Signal()

    init(location: PostgresLocation, incidentID: Int64) throws {
        self.location = location
        var logger = Logger(label: "runbook.postgres.follow")
        logger.logLevel = .critical
        let connection = try PostgresTranscriptStore.connect(to: location, timeout: 10, logger: logger)
        self.connection = connection
        let channel = "runbook_incident_\(incidentID)"
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
        let signal = signal
        listening = connection.addListener(channel: channel) { _, notification in
            guard notification.payload.hasPrefix(prefix) else { return }
            signal.set { $0.changed = true }
        }
        connection.closeFuture.whenComplete { _ in signal.set { $0.closed = true } }
        do {
            // `addListener` sends LISTEN on its own; this statement runs after it on the same connection, so when it
            // returns the server is listening, before the follower reads anything.
            try connection.query(PostgresQuery(unsafeSQL: "LISTEN \(channel)"), logger: logger).wait()
        } catch {
            listening.stop()
            try? connection.close().wait()
            throw PostgresStoreError.server(location: location.description, detail: PostgresStoreError.reason(error))
        }
    }

    deinit {
        listening.stop()
        try? connection.close().wait()
    }

    func waitForChange(timeout: TimeInterval) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        let condition = signal.condition
        condition.lock()
        defer { condition.unlock() }
        while !signal.changed && !signal.closed {
            guard condition.wait(until: deadline) else { break }
        }
        if signal.closed && !signal.changed {
            throw PostgresStoreError.unreachable(
                location: location.description, detail: "the server closed the connection a follower listens on")
        }
        defer { signal.changed = false }
        return signal.changed
    }
}
