import Crypto
import Foundation

/// The share links of `runbook serve`'s incident pages (`/s/ID`): each a random 128-bit id that opens one
/// incident's page, read-only, without the service's token, until it is revoked.
///
/// They are kept in the incident's store (`ShareLinkStore`: the `share_links` table of the SQLite file or the
/// PostgreSQL schema), since an incident id means something only there. The store holds the SHA-256 of each id,
/// never the id itself, so reading the database gives no link. The service reads the store on each request, so a
/// link works, or stops working, at once.
public struct ShareLinks: Sendable {
    /// Where the links are kept.
    public let store: any ShareLinkStore

    /// The links of `store`.
    public init(store: any ShareLinkStore) {
        self.store = store
    }

    /// The incident the link `id` opens, `nil` when there is no such link or it was revoked; throws when the store
    /// does not answer.
    public func lookUp(_ id: String) throws -> Int64? {
        guard let digest = Self.digest(of: id) else { return nil }
        return try store.shareLinkIncident(digest: digest)
    }

    /// Creates a link to `incidentID` and returns its id (32 hex digits); only its hash is written.
    public func create(incidentID: Int64, at now: Date = Date()) throws -> String {
        var generator = SystemRandomNumberGenerator()
        let id = (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }
            .joined()
        try store.addShareLink(digest: Self.digest(of: id)!, incidentID: incidentID, at: now)
        return id
    }

    /// Revokes the link given as its id or its address (`…/s/ID`); `false` when no such link exists.
    public func revoke(_ link: String) throws -> Bool {
        guard let digest = Self.digest(of: Self.id(from: link)) else { return false }
        return try store.removeShareLink(digest: digest) > 0
    }

    /// Revokes every link to `incidentID`; returns how many there were.
    public func revokeAll(incidentID: Int64) throws -> Int {
        try store.removeShareLinks(incidentID: incidentID)
    }

    /// The id in `link`: the text after the last `/s/`, or the text itself.
    public static func id(from link: String) -> String {
        let trimmed = link.trimmingCharacters(in: .whitespaces)
        guard let range = trimmed.range(of: "/s/", options: .backwards) else { return trimmed }
        return String(trimmed[range.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" })
    }

    /// The hex SHA-256 of a well-formed id (32 lowercase hex digits), or `nil`.
    static func digest(of id: String) -> String? {
        guard id.count == 32, id.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else { return nil }
        return SHA256.hash(data: Data(id.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

/// Why a share link could not be revoked.
public enum ShareLinkError: UserFacingError, Equatable {
    /// No link to revoke.
    case noSuchLink(String)

    public var summary: String {
        switch self {
        case .noSuchLink(let link): return "no share link \(link): it was never created, or is already revoked"
        }
    }

    public var hint: String? {
        "give the link as printed by `runbook serve share ID` (its address or its id), with the --db of the service"
    }

    public var exitStatus: ExitStatus { .usage }
}
