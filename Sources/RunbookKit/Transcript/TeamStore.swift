import Foundation

/// Everything a command needs of a transcript store: the transcript, the escalation tables and the escalator's
/// lease, the driver lease, and search. The SQLite file (`SQLiteTranscriptStore`) and the PostgreSQL server
/// (`PostgresTranscriptStore`, team mode, docs/team.md) are the two; commands hold `any TeamStore` and never ask
/// which.
public protocol TeamStore: EscalatorStore, DriverLeaseStore {
    /// How messages name the store: the file's path, or the server's URL without its password.
    var storeName: String { get }
    /// Full-text search over commands, outputs and notes of every incident, newest first. Every word of `query`
    /// must occur; a word ending in `*` matches as a prefix; operators are never interpreted.
    func search(_ query: String, limit: Int) throws -> [SearchHit]
}

extension SQLiteTranscriptStore: TeamStore {
    public var storeName: String { path }
}
