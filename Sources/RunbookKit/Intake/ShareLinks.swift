import Crypto
import Foundation

/// The share links of `runbook serve`'s incident pages (`/s/ID`): each a random 128-bit id that opens one
/// incident's page, read-only, without the service's token, until it is revoked.
///
/// They are kept in a file beside the database (`DB.share-links`, mode 0600), since an incident id means something
/// only in its own store. The file holds the SHA-256 of each id, never the id itself, so reading the file gives
/// no link. One line per link: `sha256-hex incident created-at`. Writes replace the file whole (a temporary file
/// renamed over it), so the service, which reads it on each request, never sees half of one.
public struct ShareLinks: Sendable {
    /// One link as the file holds it.
    public struct Entry: Sendable, Equatable {
        /// The hex SHA-256 of the link's id.
        public var digest: String
        /// The incident it opens.
        public var incidentID: Int64
        /// When it was created.
        public var createdAt: Date
    }

    /// The file.
    public let path: String

    /// The links of the store at `databasePath`.
    public init(databasePath: String) {
        path = databasePath + ".share-links"
    }

    /// The links in the file (none when there is no file yet).
    public func entries() throws -> [Entry] {
        guard let data = FileManager.default.contents(atPath: path) else {
            if FileManager.default.fileExists(atPath: path) { throw ShareLinkError.unreadable(path) }
            return []
        }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count == 3, fields[0].count == 64, let incident = Int64(fields[1]),
                let seconds = Double(fields[2])
            else { return nil }
            return Entry(
                digest: String(fields[0]), incidentID: incident, createdAt: Date(timeIntervalSince1970: seconds))
        }
    }

    /// The incident the link with `id` opens, or `nil` when there is none (never created, revoked, malformed).
    public func incident(forLink id: String) -> Int64? {
        guard let digest = Self.digest(of: id), let entries = try? entries() else { return nil }
        return entries.first { $0.digest == digest }?.incidentID
    }

    /// Creates a link to `incidentID` and returns its id (32 hex digits); only its hash is written.
    public func create(incidentID: Int64, at now: Date = Date()) throws -> String {
        var generator = SystemRandomNumberGenerator()
        let id = (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }
            .joined()
        let entry = Entry(digest: Self.digest(of: id)!, incidentID: incidentID, createdAt: now)
        try write(try entries() + [entry])
        return id
    }

    /// Revokes the link given as its id or its address (`…/s/ID`); `false` when no such link exists.
    public func revoke(_ link: String) throws -> Bool {
        guard let digest = Self.digest(of: Self.id(from: link)) else { return false }
        let entries = try entries()
        let kept = entries.filter { $0.digest != digest }
        guard kept.count < entries.count else { return false }
        try write(kept)
        return true
    }

    /// Revokes every link to `incidentID`; returns how many there were.
    public func revokeAll(incidentID: Int64) throws -> Int {
        let entries = try entries()
        let kept = entries.filter { $0.incidentID != incidentID }
        if kept.count < entries.count { try write(kept) }
        return entries.count - kept.count
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

    private func write(_ entries: [Entry]) throws {
        let text = entries.map { "\($0.digest) \($0.incidentID) \(Int64($0.createdAt.timeIntervalSince1970))\n" }
            .joined()
        let temporary = path + ".tmp-\(getpid())"
        guard
            FileManager.default.createFile(
                atPath: temporary, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        else { throw ShareLinkError.unwritable(path) }
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw ShareLinkError.unwritable(path)
        }
    }
}

/// Why the share links could not be read or written.
public enum ShareLinkError: UserFacingError, Equatable {
    /// The file exists and cannot be read.
    case unreadable(String)
    /// The file cannot be written.
    case unwritable(String)
    /// No link to revoke.
    case noSuchLink(String)

    public var summary: String {
        switch self {
        case .unreadable(let path): return "cannot read the share links in \(path)"
        case .unwritable(let path): return "cannot write the share links in \(path)"
        case .noSuchLink(let link): return "no share link \(link): it was never created, or is already revoked"
        }
    }

    public var hint: String? {
        switch self {
        case .unreadable, .unwritable:
            return "the file lies beside the database: check its directory's permissions, or pass the --db the "
                + "service uses"
        case .noSuchLink: return "give the link as printed by `runbook serve share ID` (its address or its id)"
        }
    }

    public var exitStatus: ExitStatus {
        if case .noSuchLink = self { return .usage }
        return .database
    }
}
