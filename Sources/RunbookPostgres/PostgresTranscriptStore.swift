import Foundation
import PostgresNIO
import RunbookKit

/// The transcript on a PostgreSQL server (team mode): the same `TranscriptStore` as the SQLite file, so several
/// responders on several machines share one incident.
///
/// One connection, used by one call at a time. Every write is one transaction that locks its incident's row
/// (`SELECT … FOR UPDATE`) before it reads the chain head, so `seq` stays gapless and the chain linear under
/// concurrent writers on any number of machines. Events and output are append-only: triggers refuse UPDATE and
/// DELETE (docs/team-store.md also gives the grants of an application role without them). Redaction is the
/// shared one (`RecordedDeclaration`, `redactedForStorage`, and output only through `TranscriptOutputWriter`),
/// and the hash chain is `EventHash`.
public final class PostgresTranscriptStore: TranscriptStore, @unchecked Sendable {
    /// Where the store is (never with the password).
    public let location: PostgresLocation
    public let redactor: (any TextRedacting)?
    /// How long a statement keeps retrying once the connection is lost (the server restarting) before it gives up
    /// with `PostgresStoreError.gaveUp`: `RUNBOOK_DB_RETRY` seconds, default 600.
    public let reconnectTimeout: TimeInterval
    /// The current connection; `nil` after it was lost, until the next statement reconnects. Guarded by `lock`.
    private var connection: PostgresConnection?
    private let configuration: PostgresConnection.Configuration
    private let lock = NSLock()
    private let callbackLock = NSLock()
    private var currentReachabilityChanged: (@Sendable (StoreReachability) -> Void)?
    private let logger: Logger
    /// Guards `fence` and `holdsEscalatorLock` (never taken while waiting for `lock`).
    let stateLock = NSLock()
    /// The escalator's lease token: see `fencingToken`.
    var fence: Int64?
    /// Whether this store's session holds the escalator's advisory lock (`acquireEscalatorLease`).
    var holdsEscalatorLock = false

    /// Tests: the next COMMIT loses its connection (`CommitFault`), once.
    let commitFault = CommitFaultSwitch()

    /// Whether the server answers, as `reachabilityChanged` is told it.
    public enum StoreReachability: Sendable, Equatable {
        /// The connection was lost; statements wait and retry (`reason` says why).
        case unreachable(reason: String)
        /// The server answers again; the statement that waited has run.
        case reachable
    }

    /// Called once when the connection is lost and a statement starts retrying, and once when the server answers
    /// again (the command line prints "store unreachable, retrying" and "store reachable again"). It runs on the
    /// thread of the waiting statement, which holds the store: it must not call the store.
    public var reachabilityChanged: (@Sendable (StoreReachability) -> Void)? {
        get { callbackLock.withLock { currentReachabilityChanged } }
        set { callbackLock.withLock { currentReachabilityChanged = newValue } }
    }

    /// The seconds in `RUNBOOK_DB_RETRY` when it is a positive number, else 600 (ten minutes: a REPL rides out a
    /// server restart or a failover).
    public static func reconnectTimeout(environment: [String: String]) -> TimeInterval {
        guard let text = environment["RUNBOOK_DB_RETRY"], let value = TimeInterval(text), value > 0 else { return 600 }
        return value
    }

    /// Connects to the server and applies the migrations it lacks (`PostgresMigrations`); with `migrating: false`
    /// (commands that only read) it changes nothing, and a database without the schema is refused.
    ///
    /// The first connection fails at once (`PostgresStoreError.cannotConnect`, saying what to check): a server
    /// that cannot be reached when a command starts is far more often a wrong URL than a restart. Once connected,
    /// a lost connection is retried for `reconnectTimeout` seconds (default: `RUNBOOK_DB_RETRY`, else 600).
    public init(
        location: PostgresLocation, redactor: (any TextRedacting)? = Redactor(), connectTimeout: TimeInterval = 10,
        migrating: Bool = true, reconnectTimeout: TimeInterval? = nil,
        reachabilityChanged: (@Sendable (StoreReachability) -> Void)? = nil
    ) throws {
        self.location = location
        self.redactor = redactor
        self.reconnectTimeout =
            reconnectTimeout ?? Self.reconnectTimeout(environment: ProcessInfo.processInfo.environment)
        self.currentReachabilityChanged = reachabilityChanged
        var logger = Logger(label: "runbook.postgres")
        logger.logLevel = .critical
        self.logger = logger
        let configuration = try Self.configuration(for: location, timeout: connectTimeout)
        self.configuration = configuration
        connection = try Self.connect(configuration, location: location, logger: logger)
        do {
            try PostgresMigrations.apply(self, migrating: migrating)
        } catch {
            try? connection?.close().wait()
            throw error
        }
    }

    /// Opens one connection to `location` (TLS as its `sslmode` says): a follower's listening one.
    static func connect(to location: PostgresLocation, timeout connectTimeout: TimeInterval, logger: Logger) throws
        -> PostgresConnection
    {
        try connect(configuration(for: location, timeout: connectTimeout), location: location, logger: logger)
    }

    /// How to connect to `location`: TLS as its `sslmode` says, its `options`, the connect time-out.
    private static func configuration(for location: PostgresLocation, timeout connectTimeout: TimeInterval) throws
        -> PostgresConnection.Configuration
    {
        let tls: PostgresConnection.Configuration.TLS
        switch location.sslMode {
        case .disable: tls = .disable
        case .require, .verifyFull:
            var configuration = TLSConfiguration.makeClientConfiguration()
            if location.sslMode == .require { configuration.certificateVerification = .none }
            do {
                tls = .require(try NIOSSLContext(configuration: configuration))
            } catch {
                throw PostgresStoreError.unreachable(
                    location: location.description, detail: "TLS set-up failed: \(PostgresStoreError.reason(error))")
            }
        }
        var configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: tls)
        configuration.options.connectTimeout = .milliseconds(Int64(connectTimeout * 1000))
        if let options = location.options { configuration.options.additionalStartupParameters = [("options", options)] }
        return configuration
    }

    deinit {
        try? connection?.close().wait()
    }

    // MARK: Connection

    /// One connection attempt; a failure says why (`PostgresStoreError.cannotConnect`).
    private static func connect(
        _ configuration: PostgresConnection.Configuration, location: PostgresLocation, logger: Logger
    ) throws -> PostgresConnection {
        do {
            return try PostgresConnection.connect(
                on: PostgresConnection.defaultEventLoopGroup.any(), configuration: configuration, id: 1,
                logger: logger
            ).wait()
        } catch {
            throw PostgresStoreError.cannotConnect(
                location: location.description, failure: PostgresStoreError.ConnectFailure(error, location: location))
        }
    }

    /// Thrown by `query` when the connection is gone: `withConnection` reconnects and runs the attempt again.
    private struct ConnectionLost: Error {
        var reason: String
    }

    /// Runs `attempt` holding the connection, one call at a time. When the connection is lost (the server was
    /// restarted, the network dropped), it reconnects with backoff and runs `attempt` again from the start, for up
    /// to `reconnectTimeout` seconds, telling `reachabilityChanged` once when the wait starts and once when it
    /// ends. The caller blocks meanwhile: nothing after a write runs before the write is durable.
    private func withConnection<Result>(_ attempt: () throws -> Result) throws -> Result {
        try lock.withLock {
            var outage: (since: Date, reason: String)?
            var delay: TimeInterval = 0.05
            while true {
                do {
                    if connection == nil || connection?.isClosed == true {
                        connection = nil
                        // A session-level advisory lock (the escalator's election) ended with the old session.
                        stateLock.withLock { holdsEscalatorLock = false }
                        connection = try reconnect()
                    }
                    let result = try attempt()
                    if outage != nil { reachabilityChanged?(.reachable) }
                    return result
                } catch let lost as ConnectionLost {
                    try? connection?.close().wait()
                    connection = nil
                    if outage == nil {
                        outage = (Date(), lost.reason)
                        reachabilityChanged?(.unreachable(reason: lost.reason))
                    }
                    let waited = Date().timeIntervalSince(outage!.since)
                    guard waited < reconnectTimeout else {
                        throw PostgresStoreError.gaveUp(
                            location: location.description, seconds: Int(waited.rounded()), detail: lost.reason)
                    }
                    // The one wait of the store: backoff while the server is away, short enough to notice its return.
                    Thread.sleep(forTimeInterval: min(delay, reconnectTimeout - waited))
                    delay = min(delay * 2, 1)
                } catch {
                    // The server answered (with an error of its own): it is reachable again all the same.
                    if outage != nil { reachabilityChanged?(.reachable) }
                    throw error
                }
            }
        }
    }

    /// A new connection after the old one was lost: a failure that may pass (refused while the server restarts,
    /// "the database system is starting up") is `ConnectionLost` and is retried; any other (the password changed
    /// meanwhile) ends the retries.
    private func reconnect() throws -> PostgresConnection {
        do {
            return try Self.connect(configuration, location: location, logger: logger)
        } catch PostgresStoreError.cannotConnect(_, let failure) where failure.isTransient {
            throw ConnectionLost(reason: failure.reason)
        }
    }

    // MARK: Statements

    /// Runs one statement and returns its rows, on the connection `withConnection` holds.
    @discardableResult
    func query(_ query: PostgresQuery) throws -> [PostgresRow] {
        guard let connection else { throw ConnectionLost(reason: "the connection was closed") }
        do {
            return Array(try connection.query(query, logger: logger).wait())
        } catch {
            if PostgresStoreError.isConnectionLoss(error) {
                throw ConnectionLost(reason: PostgresStoreError.reason(error))
            }
            throw PostgresStoreError.server(location: location.description, detail: PostgresStoreError.reason(error))
        }
    }

    /// Runs one SQL text with no bound values (migrations; tests that play an attacker with a SQL prompt).
    func execute(sql: String) throws {
        _ = try withConnection { try query(PostgresQuery(unsafeSQL: sql)) }
    }

    /// Runs `body` in one transaction, one call at a time on this store's connection: committed when it returns,
    /// rolled back when it throws. With a `fencingToken`, the transaction first checks that the escalator's lease
    /// still holds it, and keeps the lease row share-locked until it ends, so a take-over waits for it and then
    /// fences every later one (`TranscriptError.fenced`). When the connection is lost before COMMIT, the transaction was rolled back by
    /// the server and `body` runs again on a new connection. When it is lost after COMMIT was sent and before the
    /// reply, only the database can tell whether it committed: `committed` is asked with the result of that
    /// attempt (returning it when true, running `body` again when false); without it, the store throws
    /// `PostgresStoreError.commitUnknown` rather than risk doing the work twice.
    func transaction<Result>(committed: ((Result) throws -> Bool)? = nil, _ body: () throws -> Result) throws
        -> Result
    {
        var unconfirmed: Result?
        return try withConnection {
            if let pending = unconfirmed {
                guard let committed else { throw PostgresStoreError.commitUnknown(location: location.description) }
                if try committed(pending) { return pending }
                unconfirmed = nil
            }
            try query("BEGIN")
            let result: Result
            do {
                try checkFence()
                result = try body()
            } catch let lost as ConnectionLost {
                throw lost
            } catch {
                _ = try? query("ROLLBACK")
                throw error
            }
            do {
                try commit()
            } catch let lost as ConnectionLost {
                unconfirmed = result
                throw lost
            }
            return result
        }
    }

    /// Sends COMMIT; `commitFault` (tests) loses the connection around it instead.
    private func commit() throws {
        switch commitFault.take() {
        case nil:
            try query("COMMIT")
        case .replyLost:
            try query("COMMIT")
            try? connection?.close().wait()
            throw ConnectionLost(reason: "the connection was lost before the reply to COMMIT (test)")
        case .lostBeforeCommit:
            try? connection?.close().wait()
            throw ConnectionLost(reason: "the connection was lost before COMMIT reached the server (test)")
        }
    }

    /// Runs `body` in one read-only REPEATABLE READ transaction: every read sees the same committed state.
    func snapshot<Result>(_ body: () throws -> Result) throws -> Result {
        try withConnection {
            try query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            defer { _ = try? query("ROLLBACK") }
            return try body()
        }
    }

    /// Runs `body` holding the connection (reads outside a transaction see committed data only).
    func reading<Result>(_ body: () throws -> Result) throws -> Result {
        try withConnection { try body() }
    }

    /// Whether this store's connection is closed (the server ended its session, or the network dropped it).
    var connectionIsClosed: Bool { connection?.isClosed ?? true }

    /// Whether the server says this connection is encrypted (`pg_stat_ssl`).
    public func connectionIsEncrypted() throws -> Bool {
        try reading {
            try query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").first?.decode(Bool.self) ?? false
        }
    }

    // MARK: Recording

    public func declareIncident(_ declaration: IncidentDeclaration, actor: String, at time: Date) throws -> (
        Incident, RecordedEvent
    ) {
        try transaction(committed: { try self.declarationCommitted($0.0) }) {
            try insertIncident(declaration, actor: actor, milliseconds: Self.milliseconds(time))
        }
    }

    /// After a lost COMMIT: whether the declaration of `incident` was committed (its random key is there).
    func declarationCommitted(_ incident: Incident) throws -> Bool {
        !(try query("SELECT 1 FROM incidents WHERE id = \(incident.id) AND incident_key = \(incident.incidentKey)")
            .isEmpty)
    }

    /// Inserts the incident and its `incident.declared` event inside the caller's transaction (the escalation
    /// scheduler arms the response timer in the same one).
    func insertIncident(_ declaration: IncidentDeclaration, actor: String, milliseconds: Int64) throws -> (
        Incident, RecordedEvent
    ) {
        let record = RecordedDeclaration(declaration, redactingWith: self)
        do {
            let rows = try query(
                """
                INSERT INTO incidents (title, runbook, environment, severity, status, is_drill, declared_at_ms,
                    host, "user", policy_snapshot, incident_key, clock_speed, clock_origin_ms)
                VALUES (\(record.title), \(declaration.runbook), \(declaration.environment),
                    \(declaration.severity.rawValue), 'open', \(declaration.isDrill), \(milliseconds),
                    \(declaration.host), \(declaration.user), \(record.policy?.canonicalString),
                    \(record.incidentKey), \(record.clockSpeed), \(record.clockOriginMilliseconds))
                ON CONFLICT (incident_key) DO NOTHING
                RETURNING id
                """)
            // The key is UNIQUE: another process declared this key first.
            guard let row = rows.first else { throw TranscriptError.duplicateIncidentKey(key: record.incidentKey) }
            let id = try row.decode(Int64.self)
            let event = try insertEvent(
                EventDraft(.incidentDeclared, payload: record.payload), incidentID: id, actor: actor,
                milliseconds: milliseconds)
            guard let incident = try fetchIncident(id) else {
                throw TranscriptError.unknownIncident(id: id, path: location.description)
            }
            return (incident, event)
        }
    }

    public func append(_ draft: EventDraft, to incidentID: Int64, actor: String, at time: Date) throws
        -> RecordedEvent
    {
        var draft = draft
        draft.payload = redactedForStorage(draft.payload)
        let milliseconds = Self.milliseconds(time)
        // After a lost COMMIT: the event was committed when the chain holds, at the sequence it was given, an event
        // with its hash (which covers the previous hash and all of its content). Otherwise it is appended again.
        return try transaction(committed: { event in
            try self.query(
                "SELECT hash FROM events WHERE incident = \(incidentID) AND seq = \(event.sequence)"
            ).first?.decode(String.self) == event.hash
        }) {
            try insertEvent(draft, incidentID: incidentID, actor: actor, milliseconds: milliseconds)
        }
    }

    /// Inserts one event inside the caller's transaction, and what it adds to the search index. The incident row is
    /// locked first: a concurrent append to the same incident waits here until this transaction ends, then reads
    /// the new head.
    func insertEvent(_ draft: EventDraft, incidentID: Int64, actor: String, milliseconds: Int64) throws
        -> RecordedEvent
    {
        guard !(try query("SELECT id FROM incidents WHERE id = \(incidentID) FOR UPDATE")).isEmpty else {
            throw TranscriptError.unknownIncident(id: incidentID, path: location.description)
        }
        switch try IncidentRowChange(draft) {
        case .severity(let severity):
            try query("UPDATE incidents SET severity = \(severity.rawValue) WHERE id = \(incidentID)")
        case .status(let status):
            try query(
                """
                UPDATE incidents SET status = \(status.rawValue),
                    mitigated_at_ms = CASE WHEN \(status.rawValue) = 'mitigated'
                        THEN coalesce(mitigated_at_ms, \(milliseconds)) ELSE mitigated_at_ms END,
                    resolved_at_ms = CASE WHEN \(status.rawValue) IN ('resolved', 'abandoned')
                        THEN coalesce(resolved_at_ms, \(milliseconds)) ELSE resolved_at_ms END
                WHERE id = \(incidentID)
                """)
        case .acknowledged:
            try query(
                """
                UPDATE incidents SET acknowledged_at_ms = coalesce(acknowledged_at_ms, \(milliseconds))
                WHERE id = \(incidentID)
                """)
        case nil: break
        }
        let last = try query(
            "SELECT seq, hash FROM events WHERE incident = \(incidentID) ORDER BY seq DESC LIMIT 1"
        ).first.map { try $0.decode((Int64, String).self) }
        let sequence = (last?.0 ?? 0) + 1
        let previousHash = last?.1 ?? ""
        let payloadJSON = draft.payload.canonicalString
        let canonical = EventHash.canonicalEncoding(
            incidentID: incidentID, sequence: sequence, timestampMilliseconds: milliseconds, actor: actor,
            type: draft.type.rawValue, stepID: draft.stepID, payloadJSON: payloadJSON)
        let hash = EventHash.hash(previousHash: previousHash, canonical: canonical)
        try query(
            """
            INSERT INTO events (incident, seq, ts_ms, actor, type, step_id, payload, prev_hash, hash)
            VALUES (\(incidentID), \(sequence), \(milliseconds), \(actor), \(draft.type.rawValue), \(draft.stepID),
                \(payloadJSON), \(previousHash), \(hash))
            """)
        if let document = SearchDocument.of(draft) {
            try index(
                incidentID: incidentID, sequence: sequence, kind: document.kind, stepID: draft.stepID,
                milliseconds: milliseconds, text: document.text)
        }
        return RecordedEvent(
            incidentID: incidentID, sequence: sequence, timestamp: Self.date(milliseconds), actor: actor,
            type: draft.type, stepID: draft.stepID, payload: draft.payload, previousHash: previousHash, hash: hash)
    }

    /// Stores the chunks as given (`TranscriptOutputWriter` redacted and limited them). PostgreSQL compresses
    /// large values itself (TOAST), so chunks are stored raw.
    public func appendOutput(_ chunks: [OutputChunk], incidentID: Int64, commandSequence: Int64) throws {
        guard !chunks.isEmpty else { return }
        // After a lost COMMIT: the batch was committed when its last chunk is stored at the index it was given.
        _ = try transaction(committed: { (lastIndex: Int64) in
            try self.query(
                """
                SELECT data FROM outputs WHERE incident = \(incidentID) AND command_seq = \(commandSequence)
                    AND chunk_index = \(lastIndex)
                """
            ).first?.decode(Data.self) == chunks.last!.data
        }) {
            let command = try query(
                """
                SELECT type, step_id, ts_ms FROM events WHERE incident = \(incidentID) AND seq = \(commandSequence)
                FOR SHARE
                """
            ).first.map { try $0.decode((String, String?, Int64).self) }
            guard let command, command.0 == EventType.commandStarted.rawValue else {
                throw TranscriptError.notACommand(incidentID: incidentID, sequence: commandSequence)
            }
            let last = try query(
                """
                SELECT chunk_index FROM outputs WHERE incident = \(incidentID) AND command_seq = \(commandSequence)
                ORDER BY chunk_index DESC LIMIT 1
                """
            ).first.map { try $0.decode(Int64.self) }
            let storedBefore = try last.map { try storedOutputBytes(incidentID, commandSequence, lastChunk: $0) } ?? 0
            var index = last.map { $0 + 1 } ?? 0
            for chunk in chunks {
                try query(
                    """
                    INSERT INTO outputs (incident, command_seq, chunk_index, offset_ms, data)
                    VALUES (\(incidentID), \(commandSequence), \(index), \(Self.milliseconds(chunk.offset)),
                        \(chunk.data))
                    """)
                index += 1
            }
            if let text = SearchDocument.outputText(chunks, storedBefore: storedBefore) {
                try self.index(
                    incidentID: incidentID, sequence: commandSequence, kind: .output, stepID: command.1,
                    milliseconds: command.2 + Self.milliseconds(chunks.last!.offset), text: text)
            }
            return index - 1
        }
    }

    // MARK: Reading

    public func incident(_ id: Int64) throws -> Incident? {
        try reading { try fetchIncident(id) }
    }

    public func incidents(openOnly: Bool, drillsOnly: Bool) throws -> [Incident] {
        try reading {
            try query(
                """
                SELECT \(unescaped: Self.incidentColumns) FROM incidents
                WHERE (NOT \(openOnly) OR status = 'open') AND (NOT \(drillsOnly) OR is_drill)
                ORDER BY declared_at_ms DESC, id DESC
                """
            ).map(incident(from:))
        }
    }

    public func events(incidentID: Int64) throws -> [RecordedEvent] {
        try reading { try fetchEvents(incidentID: incidentID, after: 0) }
    }

    public func forEachEvent(
        incidentID: Int64, after sequence: Int64, types: Set<EventType>?, hashes: Bool,
        _ body: (RecordedEvent) throws -> Void
    ) throws {
        for event in try reading({ try fetchEvents(incidentID: incidentID, after: sequence) })
        where types?.contains(event.type) ?? true {
            try body(event)
        }
    }

    public func chainHead(incidentID: Int64) throws -> ChainHead? {
        try reading {
            try query("SELECT seq, hash FROM events WHERE incident = \(incidentID) ORDER BY seq DESC LIMIT 1")
                .first.map {
                    let (sequence, hash) = try $0.decode((Int64, String).self)
                    return ChainHead(sequence: sequence, hash: hash)
                }
        }
    }

    public func output(incidentID: Int64, commandSequence: Int64) throws -> [OutputChunk] {
        try reading {
            try query(
                """
                SELECT offset_ms, data FROM outputs WHERE incident = \(incidentID) AND command_seq = \(commandSequence)
                ORDER BY chunk_index
                """
            ).map {
                let (offset, data) = try $0.decode((Int64, Data).self)
                return OutputChunk(offset: Double(offset) / 1000, data: data)
            }
        }
    }

    private func fetchEvents(incidentID: Int64, after sequence: Int64) throws -> [RecordedEvent] {
        try query(
            """
            SELECT seq, ts_ms, actor, type, step_id, payload, prev_hash, hash FROM events
            WHERE incident = \(incidentID) AND seq > \(sequence) ORDER BY seq
            """
        ).map { row in
            let (sequence, milliseconds, actor, typeName, stepID, payload, previousHash, hash) = try row.decode(
                (Int64, Int64, String, String, String?, String, String, String).self)
            guard let type = EventType(rawValue: typeName) else {
                throw TranscriptError.unknownEventType(
                    path: location.description, type: typeName, incidentID: incidentID, sequence: sequence)
            }
            return RecordedEvent(
                incidentID: incidentID, sequence: sequence, timestamp: Self.date(milliseconds), actor: actor,
                type: type, stepID: stepID, payload: try JSONValue(parsing: payload), previousHash: previousHash,
                hash: hash)
        }
    }

    private static let incidentColumns = """
        id, title, runbook, environment, severity, status, is_drill, declared_at_ms, acknowledged_at_ms,
        mitigated_at_ms, resolved_at_ms, host, "user", policy_snapshot, incident_key
        """

    private func fetchIncident(_ id: Int64) throws -> Incident? {
        try query("SELECT \(unescaped: Self.incidentColumns) FROM incidents WHERE id = \(id)").first.map(
            incident(from:))
    }

    private func incident(from row: PostgresRow) throws -> Incident {
        let columns = row.makeRandomAccess()
        func column<Value: PostgresDecodable>(_ name: String, _ type: Value.Type = Value.self) throws -> Value {
            do {
                return try columns[name].decode(Value.self)
            } catch {
                throw TranscriptError.corruptIncident(
                    incidentID: (try? columns["id"].decode(Int64.self)) ?? 0,
                    detail: "column \(name) is not a \(Value.self)")
            }
        }
        let policy: String? = try column("policy_snapshot")
        return Incident(
            id: try column("id"), title: try column("title"), runbook: try column("runbook"),
            environment: try column("environment"),
            severity: Severity(rawValue: try column("severity", String.self)) ?? .p3,
            status: IncidentStatus(rawValue: try column("status", String.self)) ?? .open,
            isDrill: try column("is_drill"), declaredAt: Self.date(try column("declared_at_ms")),
            acknowledgedAt: try column("acknowledged_at_ms", Int64?.self).map(Self.date),
            mitigatedAt: try column("mitigated_at_ms", Int64?.self).map(Self.date),
            resolvedAt: try column("resolved_at_ms", Int64?.self).map(Self.date), host: try column("host"),
            user: try column("user"), policySnapshot: try policy.map { try JSONValue(parsing: $0) },
            incidentKey: try column("incident_key"))
    }

    static func milliseconds(_ date: Date) -> Int64 { milliseconds(date.timeIntervalSince1970) }
    static func milliseconds(_ seconds: TimeInterval) -> Int64 { Int64((seconds * 1000).rounded()) }
    static func date(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }
}

/// How a test makes the next COMMIT lose its connection: after the server committed (the reply is lost), or before
/// COMMIT reached it. Either way the store cannot tell from the connection, and must ask the database.
enum CommitFault: Sendable {
    case replyLost
    case lostBeforeCommit
}

/// The switch a test sets; the store takes it at its next COMMIT.
final class CommitFaultSwitch: @unchecked Sendable {
    private let lock = NSLock()
    private var fault: CommitFault?

    func set(_ fault: CommitFault) { lock.withLock { self.fault = fault } }

    func take() -> CommitFault? {
        lock.withLock {
            defer { fault = nil }
            return fault
        }
    }
}
