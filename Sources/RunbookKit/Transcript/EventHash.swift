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
        let stepText = stepID.map { JSONValue.string($0).canonicalString } ?? "null"
        return "{\"actor\":\(JSONValue.string(actor).canonicalString),\"incident\":\(incidentID),"
            + "\"payload\":\(payloadJSON),\"seq\":\(sequence),\"step_id\":\(stepText),"
            + "\"ts_ms\":\(timestampMilliseconds),\"type\":\(JSONValue.string(type).canonicalString)}"
    }

    /// The hex SHA-256 of `previousHash` and `canonical`.
    public static func hash(previousHash: String, canonical: String) -> String {
        var hasher = SHA256()
        hasher.update(data: Data(previousHash.utf8))
        hasher.update(data: Data("\n".utf8))
        hasher.update(data: Data(canonical.utf8))
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
