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
    private let connection: PostgresConnection
    private let lock = NSLock()
    private let logger: Logger

    /// Connects to the server and applies the migrations it lacks (`PostgresMigrations`); with `migrating: false`
    /// (commands that only read) it changes nothing, and a database without the schema is refused.
    public init(
        location: PostgresLocation, redactor: (any TextRedacting)? = Redactor(), connectTimeout: TimeInterval = 10,
        migrating: Bool = true
    ) throws {
        self.location = location
        self.redactor = redactor
        var logger = Logger(label: "runbook.postgres")
        logger.logLevel = .critical
        self.logger = logger
        connection = try Self.connect(to: location, timeout: connectTimeout, logger: logger)
        do {
            try PostgresMigrations.apply(self, migrating: migrating)
        } catch {
            try? connection.close().wait()
            throw error
        }
    }

    /// Opens one connection to `location` (TLS as its `sslmode` says); the store's, and a follower's listening one.
    static func connect(to location: PostgresLocation, timeout connectTimeout: TimeInterval, logger: Logger) throws
        -> PostgresConnection
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
        do {
            return try PostgresConnection.connect(
                on: PostgresConnection.defaultEventLoopGroup.any(), configuration: configuration, id: 1,
                logger: logger
            ).wait()
        } catch {
            throw PostgresStoreError.unreachable(
                location: location.description, detail: PostgresStoreError.reason(error))
        }
    }

    deinit {
        try? connection.close().wait()
    }

    // MARK: Statements

    /// Runs one statement and returns its rows.
    @discardableResult
    func query(_ query: PostgresQuery) throws -> [PostgresRow] {
        do {
            return Array(try connection.query(query, logger: logger).wait())
        } catch {
            throw PostgresStoreError.server(location: location.description, detail: PostgresStoreError.reason(error))
        }
    }

    /// Runs one SQL text with no bound values (migrations; tests that play an attacker with a SQL prompt).
    func execute(sql: String) throws {
        try lock.withLock { try query(PostgresQuery(unsafeSQL: sql)) }
    }

    /// Runs `body` in one transaction, one call at a time on this store's connection: committed when it returns,
    /// rolled back when it throws.
    func transaction<Result>(_ body: () throws -> Result) throws -> Result {
        try lock.withLock {
            try query("BEGIN")
            do {
                let result = try body()
                try query("COMMIT")
                return result
            } catch {
                _ = try? query("ROLLBACK")
                throw error
            }
        }
    }

    /// Runs `body` in one read-only REPEATABLE READ transaction: every read sees the same committed state.
    func snapshot<Result>(_ body: () throws -> Result) throws -> Result {
        try lock.withLock {
            try query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            defer { _ = try? query("ROLLBACK") }
            return try body()
        }
    }

    /// Runs `body` holding the connection (reads outside a transaction see committed data only).
    func reading<Result>(_ body: () throws -> Result) throws -> Result {
        try lock.withLock { try body() }
    }

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
        let record = RecordedDeclaration(declaration, redactingWith: self)
        let milliseconds = Self.milliseconds(time)
        return try transaction {
            let rows = try query(
                """
                INSERT INTO incidents (title, runbook, environment, severity, status, is_drill, declared_at_ms,
                    host, "user", policy_snapshot, incident_key, clock_speed, clock_origin_ms)
                VALUES (\(record.title), \(declaration.runbook), \(declaration.environment),
                    \(declaration.severity.rawValue), 'open', \(declaration.isDrill), \(milliseconds),
                    \(declaration.host), \(declaration.user), \(record.policy?.canonicalString),
                    \(record.incidentKey), \(record.clockSpeed), \(record.clockOriginMilliseconds))
                RETURNING id
                """)
            let id = try rows[0].decode(Int64.self)
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
        return try transaction {
            try insertEvent(draft, incidentID: incidentID, actor: actor, milliseconds: milliseconds)
        }
    }

    /// Inserts one event inside the caller's transaction. The incident row is locked first: a concurrent append
    /// to the same incident waits here until this transaction ends, then reads the new head.
    private func insertEvent(_ draft: EventDraft, incidentID: Int64, actor: String, milliseconds: Int64) throws
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
        return RecordedEvent(
            incidentID: incidentID, sequence: sequence, timestamp: Self.date(milliseconds), actor: actor,
            type: draft.type, stepID: draft.stepID, payload: draft.payload, previousHash: previousHash, hash: hash)
    }

    /// Stores the chunks as given (`TranscriptOutputWriter` redacted and limited them). PostgreSQL compresses
    /// large values itself (TOAST), so chunks are stored raw.
    public func appendOutput(_ chunks: [OutputChunk], incidentID: Int64, commandSequence: Int64) throws {
        guard !chunks.isEmpty else { return }
        try transaction {
            let command = try query(
                "SELECT type FROM events WHERE incident = \(incidentID) AND seq = \(commandSequence) FOR SHARE")
            guard let type = try command.first?.decode(String.self), type == EventType.commandStarted.rawValue
            else {
                throw TranscriptError.notACommand(incidentID: incidentID, sequence: commandSequence)
            }
            let last = try query(
                """
                SELECT chunk_index FROM outputs WHERE incident = \(incidentID) AND command_seq = \(commandSequence)
                ORDER BY chunk_index DESC LIMIT 1
                """
            ).first.map { try $0.decode(Int64.self) }
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
