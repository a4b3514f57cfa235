import Foundation
import GRDB

/// Wakes a follower of one incident when another process may have recorded something of it (`runbook follow`).
///
/// A change is never missed: one committed after the watcher was made, or after the previous call returned, makes
/// the next call return at once. A call may also return `true` when nothing of the incident changed (the SQLite
/// poller sees every commit to the file): the follower then reads and finds nothing new.
public protocol TranscriptWatching: AnyObject {
    /// Waits up to `timeout` seconds for a change; `false` when none came.
    func waitForChange(timeout: TimeInterval) throws -> Bool
}

/// A store that a follower can watch: the SQLite file polls, PostgreSQL listens (LISTEN/NOTIFY).
public protocol WatchableTranscriptStore: TranscriptStore {
    /// A watcher of `incidentID`, ready before this returns: what is committed afterwards wakes it.
    func watcher(incidentID: Int64) throws -> any TranscriptWatching
    /// The stored output chunks of one command from chunk number `first` (0 is the first) on, in order.
    func output(incidentID: Int64, commandSequence: Int64, fromChunk first: Int) throws -> [OutputChunk]
}

extension SQLiteTranscriptStore: WatchableTranscriptStore {
    /// Polls the file every `SQLitePollingWatcher.interval` on a connection of its own.
    public func watcher(incidentID: Int64) throws -> any TranscriptWatching {
        try SQLitePollingWatcher(path: path, busyTimeout: busyTimeout)
    }

    public func output(incidentID: Int64, commandSequence: Int64, fromChunk first: Int) throws -> [OutputChunk] {
        try read { db in
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT command_seq, chunk_index, offset_ms, data, encoding, size FROM outputs
                    WHERE incident = ? AND command_seq = ? AND chunk_index >= ? ORDER BY chunk_index
                    """,
                arguments: [incidentID, commandSequence, first])
            var chunks: [OutputChunk] = []
            while let row = try rows.next() { chunks.append(try self.storedChunk(row, incidentID: incidentID).chunk) }
            return chunks
        }
    }
}

/// Watches an SQLite file by polling `PRAGMA data_version` on a read-only connection of its own: the number
/// changes when any other connection commits, and reading it costs no query of the tables.
final class SQLitePollingWatcher: TranscriptWatching {
    /// How often the file is looked at: a follower sees a commit within this time (plus its own reads).
    static let interval: TimeInterval = 0.1

    private let queue: DatabaseQueue
    private let path: String
    private var version: Int

    init(path: String, busyTimeout: TimeInterval) throws {
        guard path != ":memory:" else {
            throw TranscriptError.missingDatabase(path: path)
        }
        self.path = path
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "runbook.transcript.watcher"
        queue = try SQLiteTranscriptStore.translatingErrors(path: path, busyTimeout: busyTimeout) {
            try DatabaseQueue(path: path, configuration: configuration)
        }
        version = 0
        version = try currentVersion()
    }

    private func currentVersion() throws -> Int {
        try SQLiteTranscriptStore.translatingErrors(path: path, busyTimeout: 0) {
            try queue.inDatabase { db in try Int.fetchOne(db, sql: "PRAGMA data_version") ?? 0 }
        }
    }

    func waitForChange(timeout: TimeInterval) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let now = try currentVersion()
            if now != version {
                version = now
                return true
            }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { return false }
            Thread.sleep(forTimeInterval: min(Self.interval, remaining))
        }
    }
}
