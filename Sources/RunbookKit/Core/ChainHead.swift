/// The head of an incident's hash chain: its last event's sequence number and hash.
///
/// Copies of it kept outside the database (exports, notifications, the anchor log) are what `runbook verify
/// --anchor` checks the database against: the chain alone cannot show that its tail was cut off or that every
/// hash was recomputed.
public struct ChainHead: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The sequence number of the last event.
    public var sequence: Int64
    /// Its hex SHA-256 (`EventHash`).
    public var hash: String

    /// A head from its parts.
    public init(sequence: Int64, hash: String) {
        self.sequence = sequence
        self.hash = hash
    }

    /// Reads `SEQ:HASH` (`12:3f9a…`, 64 hex digits); `nil` for anything else.
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let sequence = Int64(parts[0]), sequence > 0 else { return nil }
        let hash = parts[1].lowercased()
        guard hash.utf8.count == 64, hash.utf8.allSatisfy({ ChainHead.isHexDigit($0) }) else { return nil }
        self.init(sequence: sequence, hash: hash)
    }

    /// `SEQ:HASH`, the form `runbook verify --anchor` takes.
    public var description: String { "\(sequence):\(hash)" }

    /// `{"hash": …, "seq": …}`, as exports and notifications carry it.
    public var json: JSONValue { ["seq": .int(sequence), "hash": .string(hash)] }

    enum CodingKeys: String, CodingKey {
        case sequence = "seq"
        case hash
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }
}
