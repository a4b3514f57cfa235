import Crypto
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A responder's Ed25519 signing key (`runbook keys init`). When it exists, `resolve` and `handoff` sign the
/// incident's chain head with it, and `runbook verify` checks the signature.
///
/// The file holds two lines: `runbook-ed25519-private-v1` and the 32-byte private key in base64. It is created
/// 0600 in a 0700 directory, with `O_EXCL`, and never replaced.
public struct SigningKey: Sendable {
    /// The first line of a key file.
    public static let fileHeader = "runbook-ed25519-private-v1"

    /// The 32 raw bytes (the `Crypto` key type is not `Sendable`).
    private let raw: Data

    private var privateKey: Curve25519.Signing.PrivateKey {
        // `raw` was checked when the key was made.
        try! Curve25519.Signing.PrivateKey(rawRepresentation: raw)
    }

    /// A new random key.
    public init() {
        raw = Curve25519.Signing.PrivateKey().rawRepresentation
    }

    /// The key in a key file's text.
    /// - Throws: `SigningKeyError.malformed`.
    public init(fileContents: String, path: String) throws {
        let lines = fileContents.split(whereSeparator: \.isNewline).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard lines.count == 2, lines[0] == Self.fileHeader else {
            throw SigningKeyError.malformed(path: path, detail: "the first line is not `\(Self.fileHeader)`")
        }
        guard let raw = Data(base64Encoded: lines[1]), raw.count == 32,
            (try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)) != nil
        else {
            throw SigningKeyError.malformed(path: path, detail: "line 2 is not a 32-byte key in base64")
        }
        self.raw = raw
    }

    /// The text written to the key file.
    public var fileContents: String {
        "\(Self.fileHeader)\n\(privateKey.rawRepresentation.base64EncodedString())\n"
    }

    /// Its public half.
    public var publicKey: PublicSigningKey {
        PublicSigningKey(raw: privateKey.publicKey.rawRepresentation)
    }

    /// The signature of `head` of incident `incidentID` (see `HeadSignature.message`).
    public func sign(incidentID: Int64, head: ChainHead) throws -> Data {
        try privateKey.signature(for: HeadSignature.message(incidentID: incidentID, head: head))
    }

    // MARK: - Files

    /// Where the key lives: `$RUNBOOK_SIGNING_KEY`, else `$XDG_CONFIG_HOME/runbook/signing.key` (when absolute), else
    /// `~/.config/runbook/signing.key`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let path = environment["RUNBOOK_SIGNING_KEY"], !path.isEmpty { return path }
        return (ConfigurationDirectory.path(environment: environment) as NSString).appendingPathComponent("signing.key")
    }

    /// The key at `path`, or `nil` when there is no file there (signing is optional).
    /// - Throws: `SigningKeyError.unreadable` (a file that cannot be read, or one that others can read),
    ///   `SigningKeyError.malformed`.
    public static func load(path: String) throws -> SigningKey? {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return nil }
            throw SigningKeyError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw SigningKeyError.unreadable(path: path, reason: "not a regular file")
        }
        guard info.st_mode & 0o077 == 0 else {
            throw SigningKeyError.unreadable(
                path: path, reason: "its mode is \(String(info.st_mode & 0o777, radix: 8)): others can read it")
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw SigningKeyError.unreadable(path: path, reason: "\(error.localizedDescription)")
        }
        return try SigningKey(fileContents: text, path: path)
    }

    /// Writes a new key file at `path` (0600; its directory is created 0700). Never replaces a file.
    /// - Throws: `SigningKeyError.exists`, `SigningKeyError.cannotWrite`.
    public func save(to path: String) throws {
        do {
            try PrivateDirectory.createParent(of: path)
        } catch {
            throw SigningKeyError.cannotWrite(path: path, reason: error.localizedDescription)
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            if errno == EEXIST { throw SigningKeyError.exists(path: path) }
            throw SigningKeyError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        let bytes = Array(fileContents.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(path)
            throw SigningKeyError.cannotWrite(path: path, reason: reason)
        }
    }
}

/// The public half of a `SigningKey`: what a team shares so that `verify --trust` can check who signed.
public struct PublicSigningKey: Sendable, Hashable {
    /// The 32-byte Ed25519 public key.
    public let raw: Data

    /// A key from its 32 raw bytes.
    public init(raw: Data) {
        self.raw = raw
    }

    /// A key from its base64 text; `nil` unless it is 32 bytes.
    public init?(base64: String) {
        guard let raw = Data(base64Encoded: base64), raw.count == 32 else { return nil }
        self.init(raw: raw)
    }

    /// Base64 of the raw key, as `chain.signed` records it.
    public var base64: String { raw.base64EncodedString() }

    /// `SHA256:` and the unpadded base64 of the key's SHA-256, as OpenSSH prints fingerprints.
    public var fingerprint: String {
        let digest = Data(SHA256.hash(data: raw)).base64EncodedString()
        return "SHA256:" + digest.trimmingCharacters(in: CharacterSet(charactersIn: "="))
    }

    /// The line `runbook keys show` prints and a trusted-keys file holds: `runbook-ed25519 BASE64 COMMENT`.
    public func line(comment: String) -> String { "runbook-ed25519 \(base64) \(comment)" }

    /// Whether `signature` signs `head` of incident `incidentID` with this key.
    public func isValid(signature: Data, incidentID: Int64, head: ChainHead) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else { return false }
        return key.isValidSignature(signature, for: HeadSignature.message(incidentID: incidentID, head: head))
    }

    /// The keys of a trusted-keys file: one `runbook-ed25519 BASE64 [COMMENT]` per line; blank lines and `#`
    /// comments are skipped.
    /// - Throws: `SigningKeyError.unreadable`, `SigningKeyError.malformed` naming the line.
    public static func trusted(path: String) throws -> [PublicSigningKey: String] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw SigningKeyError.unreadable(path: path, reason: "no such file, or not UTF-8 text")
        }
        var keys: [PublicSigningKey: String] = [:]
        for (number, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let fields = trimmed.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
            guard fields.count >= 2, fields[0] == "runbook-ed25519",
                let key = PublicSigningKey(base64: String(fields[1]))
            else {
                throw SigningKeyError.malformed(
                    path: path + ":\(number + 1)", detail: "expected `runbook-ed25519 BASE64 [COMMENT]`")
            }
            keys[key] = fields.count == 3 ? String(fields[2]) : key.fingerprint
        }
        return keys
    }
}

/// What a head signature covers, and the `chain.signed` payload that carries it.
public enum HeadSignature {
    /// The signed bytes: a domain label, the incident and the head, one per line. The label keeps a signature made
    /// for this purpose from being valid for any other.
    public static func message(incidentID: Int64, head: ChainHead) -> Data {
        Data("runbook chain head v1\nincident \(incidentID)\nseq \(head.sequence)\nhash \(head.hash)\n".utf8)
    }

    /// The payload of `chain.signed`: the head signed, why (`incident.resolved`, `handoff`), the public key, its
    /// fingerprint and the signature, in base64.
    public static func payload(
        key: SigningKey, incidentID: Int64, head: ChainHead, reason: String
    ) throws -> JSONValue {
        let signature = try key.sign(incidentID: incidentID, head: head)
        return [
            "seq": .int(head.sequence), "hash": .string(head.hash), "reason": .string(reason),
            "key": .string(key.publicKey.base64), "fingerprint": .string(key.publicKey.fingerprint),
            "signature": .string(signature.base64EncodedString()),
        ]
    }
}

/// Why a signing key or a trusted-keys file could not be used.
public enum SigningKeyError: UserFacingError, Equatable {
    case exists(path: String)
    case cannotWrite(path: String, reason: String)
    case unreadable(path: String, reason: String)
    case malformed(path: String, detail: String)

    public var summary: String {
        switch self {
        case .exists(let path): return "a signing key already exists at \(path)"
        case .cannotWrite(let path, let reason): return "cannot write the signing key \(path): \(reason)"
        case .unreadable(let path, let reason): return "cannot use the key file \(path): \(reason)"
        case .malformed(let path, let detail): return "\(path) is not a runbook key file: \(detail)"
        }
    }

    public var hint: String? {
        switch self {
        case .exists:
            return "it is kept: signatures made with it must stay checkable. Print its public half with "
                + "`runbook keys show`, or give another path with --key"
        case .cannotWrite: return "make the directory writable, or give another path with --key"
        case .unreadable(let path, _):
            return "a private key must be mode 0600 and owned by you: chmod 600 \(path); "
                + "set RUNBOOK_SIGNING_KEY to use another file"
        case .malformed:
            return "create a key with `runbook keys init`; a trusted-keys file holds lines printed by "
                + "`runbook keys show`"
        }
    }

    public var exitStatus: ExitStatus { .usage }
}
