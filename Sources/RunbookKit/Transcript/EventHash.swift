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
        var text = "{\"actor\":"
        text.reserveCapacity(payloadJSON.utf8.count + 160)
        appendJSONString(actor, to: &text)
        text += ",\"incident\":\(incidentID),\"payload\":"
        text += payloadJSON
        text += ",\"seq\":\(sequence),\"step_id\":"
        if let stepID { appendJSONString(stepID, to: &text) } else { text += "null" }
        text += ",\"ts_ms\":\(timestampMilliseconds),\"type\":"
        appendJSONString(type, to: &text)
        text += "}"
        return text
    }

    /// Appends `value` as a JSON string: `"` and `\` escaped, control characters as `\n`, `\t`… or
    /// `\u00XX`, everything else as literal UTF-8. Written by hand because verification hashes every
    /// event and a JSONEncoder per string costs more than the SHA-256 itself.
    static func appendJSONString(_ value: String, to text: inout String) {
        text += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case "\u{08}": text += "\\b"
            case "\u{0C}": text += "\\f"
            case "\u{00}"..."\u{1F}":
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
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
