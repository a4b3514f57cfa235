import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The append-only anchor log beside the database (`<db>.anchors`): one JSON line per anchor,
/// `{"event":…,"hash":…,"incident":…,"seq":…,"time":…}`, written after the event commits at declare, escalation,
/// mitigation and resolve.
///
/// Each line is one `write(2)` on a descriptor opened `O_APPEND` (so concurrent writers never interleave within a
/// line), then `fsync`. The file is created 0600. It is worth most when a copy lives where whoever can write the
/// database cannot (see docs/transcript-schema.md, "Threat model").
public struct AnchorLog: Sendable {
    /// The log's path.
    public let path: String

    /// The log at `path`.
    public init(path: String) {
        self.path = path
    }

    /// The log beside the database at `databasePath`.
    public init(databasePath: String) {
        self.init(path: databasePath + ".anchors")
    }

    /// Appends one line for `anchor` and syncs it to disk.
    /// - Throws: `AnchorLogError.cannotWrite` with the system's reason.
    public func append(_ anchor: ChainAnchor) throws {
        var line = Array(Self.line(anchor).utf8)
        line.append(UInt8(ascii: "\n"))
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw AnchorLogError.cannotWrite(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == line.count else {
            let reason = written < 0 ? String(cString: strerror(errno)) : "short write (\(written) of \(line.count))"
            throw AnchorLogError.cannotWrite(path: path, reason: reason)
        }
        guard fsync(fd) == 0 else {
            throw AnchorLogError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
        }
    }

    /// The JSON line of `anchor` (without its newline).
    public static func line(_ anchor: ChainAnchor) -> String {
        var members: [String: JSONValue] = [
            "incident": .int(anchor.incidentID), "seq": .int(anchor.head.sequence), "hash": .string(anchor.head.hash),
        ]
        if let time = anchor.time { members["time"] = .string(EscalationNotification.iso8601(time)) }
        if let type = anchor.eventType { members["event"] = .string(type) }
        return JSONValue.object(members).canonicalString
    }

    /// Every anchor of the log (of `incidentID` only, when given), in file order. A JSON export given instead of a
    /// log yields its `chain_head`.
    /// - Throws: `AnchorLogError.unreadable`; `AnchorLogError.malformed` naming the line.
    public func anchors(incidentID: Int64? = nil) throws -> [ChainAnchor] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw AnchorLogError.unreadable(path: path, reason: "no such file")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let system = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
            let reason =
                system?.domain == NSPOSIXErrorDomain
                ? String(cString: strerror(Int32(system!.code))) : error.localizedDescription
            throw AnchorLogError.unreadable(path: path, reason: reason)
        }
        // A JSON export (`runbook export --format json`) is one object that carries its `chain_head`.
        if let export = try? JSONValue(parsing: String(decoding: data, as: UTF8.self)), let head = export["chain_head"]
        {
            guard let sequence = head["seq"]?.intValue, let hash = head["hash"]?.stringValue,
                let parsed = ChainHead(parsing: "\(sequence):\(hash)"),
                let incident = export["incident"]?["id"]?.intValue
            else {
                throw AnchorLogError.malformed(
                    path: path, line: 1, detail: "an export whose chain_head or incident.id is missing or malformed")
            }
            guard incidentID == nil || incident == incidentID else { return [] }
            return [ChainAnchor(incidentID: incident, head: parsed, source: "\(path) (export chain_head)")]
        }
        var anchors: [ChainAnchor] = []
        var number = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            number += 1
            let text = String(decoding: line, as: UTF8.self)
            if text.allSatisfy(\.isWhitespace) { continue }
            let source = "\(path):\(number)"
            guard let json = try? JSONValue(parsing: text) else {
                throw AnchorLogError.malformed(path: path, line: number, detail: "not a JSON object")
            }
            guard let incident = json["incident"]?.intValue, let sequence = json["seq"]?.intValue,
                let hash = json["hash"]?.stringValue, let head = ChainHead(parsing: "\(sequence):\(hash)")
            else {
                throw AnchorLogError.malformed(
                    path: path, line: number, detail: "needs \"incident\", \"seq\" and a 64-hex-digit \"hash\"")
            }
            guard incidentID == nil || incident == incidentID else { continue }
            anchors.append(
                ChainAnchor(
                    incidentID: incident, head: head,
                    time: json["time"]?.stringValue.flatMap(EscalationNotification.parseISO8601),
                    eventType: json["event"]?.stringValue, source: source))
        }
        return anchors
    }
}
