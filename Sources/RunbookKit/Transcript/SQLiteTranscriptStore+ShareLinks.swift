import Foundation
import GRDB

extension SQLiteTranscriptStore: ShareLinkStore {
    public func addShareLink(digest: String, incidentID: Int64, at time: Date) throws {
        try write { db in
            guard try Self.fetchIncident(db, id: incidentID) != nil else {
                throw TranscriptError.unknownIncident(id: incidentID, path: self.path)
            }
            try db.execute(
                sql: "INSERT INTO share_links (digest, incident, created_ms) VALUES (?, ?, ?)",
                arguments: [digest, incidentID, Self.milliseconds(time)])
        }
    }

    public func shareLinkIncident(digest: String) throws -> Int64? {
        try read { db in
            try Int64.fetchOne(db, sql: "SELECT incident FROM share_links WHERE digest = ?", arguments: [digest])
        }
    }

    public func removeShareLink(digest: String) throws -> Int {
        try write { db in
            try db.execute(sql: "DELETE FROM share_links WHERE digest = ?", arguments: [digest])
            return db.changesCount
        }
    }

    public func removeShareLinks(incidentID: Int64) throws -> Int {
        try write { db in
            try db.execute(sql: "DELETE FROM share_links WHERE incident = ?", arguments: [incidentID])
            return db.changesCount
        }
    }
}
