import Foundation
import GRDB

/// The transcript store on SQLite (GRDB): written ahead, append-only, hash-chained, searchable.
///
/// A file database is a `DatabasePool` in WAL mode with `synchronous = FULL`, so a committed
/// event survives a crash of the process and of the machine. Every write is a `BEGIN IMMEDIATE`
/// transaction: it takes the write lock before it reads the last sequence number, so several
/// processes can append to one incident at once without losing or duplicating events. Waiting for
/// the lock is bounded by the busy timeout, retried twice before `TranscriptError.locked`.
///
/// Every string of every payload and every byte of output passes through the redactor (when one
/// is set) before it is written, so no caller can forget to redact.
public final class SQLiteTranscriptStore: TranscriptStore, @unchecked Sendable {
    /// The database path, or `:memory:`.
    public let path: String
    /// How long one attempt waits for another process's write lock.
    public let busyTimeout: TimeInterval
    /// Attempts (each waiting up to `busyTimeout`) before a write gives up as locked.
    static let lockAttempts = 3

    let writer: any DatabaseWriter
    private let redactorLock = NSLock()
    private var currentRedactor: (any TextRedacting)?
    private var currentFence: Int64?
    private var currentAnchorLogFailure: (@Sendable (AnchorLogError) -> Void)?

    /// Opens (creating when missing) the database at `path`.
    ///
    /// Missing directories are created 0700 and a new file 0600. The file is inspected read-only
    /// first: a file that is not SQLite, or that a newer runbook migrated, is refused untouched.
    public init(path: String, redactor: (any TextRedacting)? = nil, busyTimeout: TimeInterval = 10) throws {
        self.path = path
        self.busyTimeout = busyTimeout
        self.currentRedactor = redactor
        try DatabaseFilePreflight(path: path).prepare()
        var configuration = Self.configuration(busyTimeout: busyTimeout)
        configuration.label = "runbook.transcript"
        try Self.translatingErrors(path: path, busyTimeout: busyTimeout) {
            try Self.inspectSchema(path: path, busyTimeout: busyTimeout)
        }
        // Opening may write (GRDB makes sure the -wal file is not empty), and a write that starts as a
        // read can meet another process's commit: retry like any other write.
        var attempt = 1
        var opened: DatabasePool?
        while opened == nil {
            do {
                opened = try Self.translatingErrors(path: path, busyTimeout: busyTimeout) {
                    try DatabasePool(path: path, configuration: configuration)
                }
            } catch TranscriptError.locked {
                guard attempt < Self.lockAttempts else {
                    throw TranscriptError.locked(path: path, timeout: busyTimeout * Double(Self.lockAttempts))
                }
                attempt += 1
            }
        }
        let pool = opened!
        self.writer = pool
        try translate {
            // GRDB chooses synchronous = NORMAL for WAL, which can lose the last commits on power loss.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        }
        try migrate()
    }

    /// Opens an existing database read-only, as evidence: nothing is created, migrated or written, in the file or
    /// beside it (for `verify`, `export` and `transcript`).
    ///
    /// With a non-empty `-wal` file beside it (a session is running, or the file was copied with its WAL), it is
    /// opened with SQLite's read-only mode, which reads the committed events in the WAL. Otherwise it is opened
    /// `immutable=1`: SQLite takes no locks and creates no `-wal` or `-shm` file, so a read-only directory, a
    /// read-only file and a copy on read-only media all work, and the file's bytes and mtime stay as they were.
    public init(readingEvidenceAt path: String, busyTimeout: TimeInterval = 10) throws {
        self.path = path
        self.busyTimeout = busyTimeout
        self.currentRedactor = nil
        let immutable = try DatabaseFilePreflight(path: path).inspectEvidence()
        var configuration = Self.configuration(busyTimeout: busyTimeout)
        configuration.label = "runbook.transcript.evidence"
        configuration.readonly = true
        // SQLite reads a `file:` URI (this build of SQLite enables them); its special characters are escaped.
        let location = immutable ? "file:" + Self.uriEscaped(path) + "?immutable=1" : path
        let queue = try Self.translatingErrors(path: path, busyTimeout: busyTimeout) {
            try DatabaseQueue(path: location, configuration: configuration)
        }
        self.writer = queue
        let unknown = try read { db in Self.unknownMigrations(try Self.appliedMigrations(db)) }
        if !unknown.isEmpty { throw TranscriptError.newerSchema(path: path, unknownMigrations: unknown) }
    }

    /// `path` with the characters a `file:` URI gives a meaning (`%`, `?`, `#`) percent-escaped.
    static func uriEscaped(_ path: String) -> String {
        var escaped = ""
        for character in path {
            switch character {
            case "%": escaped += "%25"
            case "?": escaped += "%3f"
            case "#": escaped += "%23"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    private init(memoryWith redactor: (any TextRedacting)?) throws {
        self.path = ":memory:"
        self.busyTimeout = 1
        self.currentRedactor = redactor
        self.writer = try DatabaseQueue(configuration: Self.configuration(busyTimeout: 1))
        try migrate()
    }

    /// A private database in memory, for tests and dry runs.
    public static func inMemory(redactor: (any TextRedacting)? = nil) throws -> SQLiteTranscriptStore {
        try SQLiteTranscriptStore(memoryWith: redactor)
    }

    private static func configuration(busyTimeout: TimeInterval) -> Configuration {
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.foreignKeysEnabled = true
        return configuration
    }

    // MARK: Redaction

    /// The redactor applied to payload strings before they are written, and to output by `TranscriptOutputWriter`.
    public var redactor: (any TextRedacting)? {
        redactorLock.withLock { currentRedactor }
    }

    func redact(_ payload: JSONValue) -> JSONValue { redactedForStorage(payload) }

    /// Called when appending to the anchor log (`anchorLog`) fails after an event committed: the event stays
    /// recorded, and the command line prints a warning.
    public var anchorLogFailure: (@Sendable (AnchorLogError) -> Void)? {
        get { redactorLock.withLock { currentAnchorLogFailure } }
        set { redactorLock.withLock { currentAnchorLogFailure = newValue } }
    }

    // MARK: Fencing

    /// The escalator's lease token. When set, every write transaction first checks that the lease still holds this
    /// token and throws `TranscriptError.fenced` otherwise: an escalator that lost its lease (paused, then
    /// replaced) can never commit.
    public var fencingToken: Int64? {
        get { redactorLock.withLock { currentFence } }
        set { redactorLock.withLock { currentFence = newValue } }
    }

    // MARK: Schema

    private static func inspectSchema(path: String, busyTimeout: TimeInterval) throws {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        guard size > 0 else { return }
        var configuration = Self.configuration(busyTimeout: busyTimeout)
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        let applied = try queue.read { db in try Self.appliedMigrations(db) }
        let unknown = Self.unknownMigrations(applied)
        if !unknown.isEmpty { throw TranscriptError.newerSchema(path: path, unknownMigrations: unknown) }
    }

    private static func appliedMigrations(_ db: Database) throws -> [String] {
        guard try db.tableExists("schema_migrations") else { return [] }
        return try String.fetchAll(db, sql: "SELECT name FROM schema_migrations ORDER BY rowid")
    }

    private static func unknownMigrations(_ applied: [String]) -> [String] {
        let known = Set(TranscriptMigrations.all.map(\.name))
        return applied.filter { !known.contains($0) }
    }

    private func migrate() throws {
        let pending = try read { db in
            let applied = try Self.appliedMigrations(db)
            let unknown = Self.unknownMigrations(applied)
            if !unknown.isEmpty { throw TranscriptError.newerSchema(path: self.path, unknownMigrations: unknown) }
            return TranscriptMigrations.all.count - applied.count
        }
        guard pending > 0 else { return }
        try write { db in
            try db.execute(sql: TranscriptMigrations.ledger)
            // Re-read under the write lock: another process may have migrated meanwhile.
            let applied = try Self.appliedMigrations(db)
            let unknown = Self.unknownMigrations(applied)
            if !unknown.isEmpty { throw TranscriptError.newerSchema(path: self.path, unknownMigrations: unknown) }
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            for migration in TranscriptMigrations.all where !applied.contains(migration.name) {
                try migration.apply(db)
                try db.execute(
                    sql: "INSERT INTO schema_migrations (name, applied_at_ms) VALUES (?, ?)",
                    arguments: [migration.name, now])
            }
        }
    }

    /// Names of the migrations applied to this database, in order.
    public func appliedMigrationNames() throws -> [String] {
        try read { db in try Self.appliedMigrations(db) }
    }

    // MARK: Transactions

    /// Runs `body` in a `BEGIN IMMEDIATE` transaction, retrying when another process holds the lock.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        var attempt = 1
        while true {
            do {
                return try translate {
                    try writer.writeWithoutTransaction { db in
                        var result: T?
                        try db.inTransaction(.immediate) {
                            if let fence = self.fencingToken {
                                let held = try Int64.fetchOne(db, sql: "SELECT token FROM escalator_lease WHERE id = 1")
                                guard held == fence else {
                                    throw TranscriptError.fenced(path: self.path, token: fence, holder: held)
                                }
                            }
                            result = try body(db)
                            return .commit
                        }
                        return result!
                    }
                }
            } catch TranscriptError.locked {
                guard attempt < Self.lockAttempts else {
                    throw TranscriptError.locked(path: path, timeout: busyTimeout * Double(Self.lockAttempts))
                }
                attempt += 1
            }
        }
    }

    /// Runs `body` with a read-only view of the database.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try translate { try writer.read(body) }
    }

    /// `read`, allowed inside another read (on the same connection and snapshot).
    func reentrantRead<T>(_ body: (Database) throws -> T) throws -> T {
        try translate { try writer.unsafeReentrantRead(body) }
    }

    private func translate<T>(_ body: () throws -> T) throws -> T {
        try Self.translatingErrors(path: path, busyTimeout: busyTimeout, body)
    }

    /// Turns SQLite errors into `TranscriptError`s that name the path and say what to do.
    static func translatingErrors<T>(path: String, busyTimeout: TimeInterval, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            throw TranscriptError(error, path: path, busyTimeout: busyTimeout)
        }
    }
}

extension TranscriptError {
    /// Whether the filesystem holding `path` has (almost) no room left for an unprivileged writer: fewer free
    /// blocks than two SQLite pages' worth, or no free inodes.
    static func filesystemIsFull(holding path: String) -> Bool {
        let directory = (path as NSString).deletingLastPathComponent
        var stats = statvfs()
        guard statvfs(directory.isEmpty ? "." : directory, &stats) == 0 else { return false }
        let freeBytes = UInt64(stats.f_bavail) * UInt64(stats.f_frsize)
        return freeBytes < 8192 || (stats.f_files > 0 && stats.f_favail == 0)
    }

    /// Classifies an SQLite error by its primary result code.
    init(_ error: DatabaseError, path: String, busyTimeout: TimeInterval) {
        let detail = error.message ?? "\(error.resultCode)"
        switch error.resultCode.primaryResultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            self = .locked(path: path, timeout: busyTimeout)
        case .SQLITE_NOTADB, .SQLITE_CORRUPT:
            self = .corrupt(path: path, detail: detail)
        case .SQLITE_READONLY:
            let directory = (path as NSString).deletingLastPathComponent
            if access(directory.isEmpty ? "." : directory, W_OK) != 0 {
                self = .readOnlyDirectory(path: path, directory: directory.isEmpty ? "." : directory)
            } else {
                self = .readOnlyFile(path: path)
            }
        case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_AUTH:
            self = .unreadable(path: path, detail: detail)
        case .SQLITE_FULL:
            self = .diskFull(path: path)
        case .SQLITE_IOERR where Self.filesystemIsFull(holding: path):
            // A full tmpfs (and some other filesystems) fails the WAL write with SQLITE_IOERR, not SQLITE_FULL.
            self = .diskFull(path: path)
        default:
            self = .sqlite(path: path, detail: detail)
        }
    }
}
