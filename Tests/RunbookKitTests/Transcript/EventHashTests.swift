import Crypto
import Foundation
import RunbookKit
import Testing

@Suite struct EventHashTests {
    @Test func theCanonicalEncodingHasSortedKeysAndTheStoredPayload() {
        let text = EventHash.canonicalEncoding(
            incidentID: 7, sequence: 2, timestampMilliseconds: 1_767_225_600_000, actor: "alice@bastion-1",
            type: "note.added", stepID: nil, payloadJSON: #"{"text":"say \"hi\""}"#)
        #expect(
            text
                == #"{"actor":"alice@bastion-1","incident":7,"payload":{"text":"say \"hi\""},"seq":2,"step_id":null,"ts_ms":1767225600000,"type":"note.added"}"#
        )
    }

    @Test func theHashCoversThePreviousHashAndTheEvent() {
        let canonical = #"{"seq":1}"#
        let expected = SHA256.hash(data: Data(("abc\n" + canonical).utf8)).map { String(format: "%02x", $0) }.joined()
        #expect(EventHash.hash(previousHash: "abc", canonical: canonical) == expected)
        #expect(EventHash.hash(previousHash: "abd", canonical: canonical) != expected)
        #expect(EventHash.hash(previousHash: "abc", canonical: #"{"seq":2}"#) != expected)
    }
}
