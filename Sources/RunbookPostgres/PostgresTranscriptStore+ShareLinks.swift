import Foundation
import PostgresNIO
import RunbookKit

/// The share links of `runbook serve`'s pages on PostgreSQL (`pg4-share-links`), as the SQLite store keeps them.
extension PostgresTranscriptStore: ShareLinkStore {
    public func addShareLink(digest: String, incidentID: Int64, at time: Date) throws {
        // After a lost COMMIT: the link was stored when its row is there.
        try transaction(committed: { _ in try self.shareLinkRow(digest) != nil }) {
            guard !(try query("SELECT 1 FROM incidents WHERE id = \(incidentID)").isEmpty) else {
                throw TranscriptError.unknownIncident(id: incidentID, path: location.description)
            }
            try query(
                """
                INSERT INTO share_links (digest, incident, created_ms)
                VALUES (\(digest), \(incidentID), \(Self.milliseconds(time)))
                """)
        }
    }

    public func shareLinkIncident(digest: String) throws -> Int64? {
        try reading { try shareLinkRow(digest) }
    }

    public func removeShareLink(digest: String) throws -> Int {
        var removed = 0
        // After a lost COMMIT: deleted when the row is gone (the count is the attempt's).
        try transaction(committed: { _ in try self.shareLinkRow(digest) == nil }) {
            removed = try query("DELETE FROM share_links WHERE digest = \(digest) RETURNING 1").count
        }
        return removed
    }

    public func removeShareLinks(incidentID: Int64) throws -> Int {
        var removed = 0
        try transaction(committed: { _ in
            try self.query("SELECT 1 FROM share_links WHERE incident = \(incidentID)").isEmpty
        }) {
            removed = try query("DELETE FROM share_links WHERE incident = \(incidentID) RETURNING 1").count
        }
        return removed
    }

    private func shareLinkRow(_ digest: String) throws -> Int64? {
        try query("SELECT incident FROM share_links WHERE digest = \(digest)").first?.decode(Int64.self)
    }
}
