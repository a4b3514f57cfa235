import Crypto
import Foundation

/// The hash chain of a transcript: each event's hash covers the previous hash and the event itself.
///
/// `hash = hex(SHA-256(prev_hash + "\n" + canonical))`, where `prev_hash` is the previous event's
/// hex hash ("" for the first event) and `canonical` is the JSON object
/// `{"actor":…,"incident":…,"payload":…,"seq":…,"step_id":…,"ts_ms":…,"type":…}` with keys in that
/// (sorted) order, no whitespace, and `payload` exactly as stored (itself canonical JSON). Hashing
/// the stored payload text, rather than a re-encoding of it, keeps verification independent of how
/// a JSON library formats numbers.
public enum EventHash {
    /// The canonical encoding of one event.
    public static func canonicalEncoding(
        incidentID: Int64, sequence: Int64, timestampMilliseconds: Int64, actor: String, type: String,
        stepID: String?, payloadJSON: String
    ) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(payloadJSON.utf8.count + 160)
        bytes.append(contentsOf: "{\"actor\":".utf8)
        JSONValue.appendString(actor, to: &bytes)
        bytes.append(contentsOf: ",\"incident\":\(incidentID),\"payload\":".utf8)
        bytes.append(contentsOf: payloadJSON.utf8)
        bytes.append(contentsOf: ",\"seq\":\(sequence),\"step_id\":".utf8)
        (stepID.map(JSONValue.string) ?? .null).appendScalar(to: &bytes)
        bytes.append(contentsOf: ",\"ts_ms\":\(timestampMilliseconds),\"type\":".utf8)
        JSONValue.appendString(type, to: &bytes)
        bytes.append(UInt8(ascii: "}"))
        return String(decoding: bytes, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// The hex SHA-256 of `previousHash` and `canonical`.
    public static func hash(previousHash: String, canonical: String) -> String {
        var hasher = SHA256()
        hasher.update(data: Data(previousHash.utf8))
        hasher.update(data: Data("\n".utf8))
        hasher.update(data: Data(canonical.utf8))
        var hex = [UInt8]()
        hex.reserveCapacity(64)
        for byte in hasher.finalize() {
            hex.append(hexDigits[Int(byte >> 4)])
            hex.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}
