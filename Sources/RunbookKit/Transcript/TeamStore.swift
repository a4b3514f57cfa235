import Foundation

/// Everything a command needs of a transcript store: the transcript, the escalation tables and the escalator's
/// lease, the driver lease, search, and a watcher for followers. The SQLite file (`SQLiteTranscriptStore`) and the PostgreSQL server
/// (`PostgresTranscriptStore`, team mode, docs/team.md) are the two; commands hold `any TeamStore` and never ask
/// which.
public protocol TeamStore: EscalatorStore, DriverLeaseStore, VerifiableStore, WatchableTranscriptStore, ShareLinkStore {
    /// Full-text search over commands, outputs and notes of every incident, newest first. Every word of `query`
    /// must occur; a word ending in `*` matches as a prefix; operators are never interpreted.
    func search(_ query: String, limit: Int) throws -> [SearchHit]
}

/// A transcript that can name itself and check its own chains: what `note`, `incidents` and `verify` need.
public protocol VerifiableStore: TranscriptStore {
    /// How messages name the store: the file's path, or the server's URL without its password.
    var storeName: String { get }
    /// Recomputes one incident's hash chain, output digests and row (`TranscriptVerifier`).
    func verify(incidentID: Int64) throws -> VerificationResult
    /// `verify` for every incident.
    func verifyAll() throws -> [VerificationResult]
}

extension SQLiteTranscriptStore: TeamStore {
    public var storeName: String { path }
}
