import Foundation
import RunbookKit
import Testing

@Suite struct SigningKeyTests {
    let head = ChainHead(sequence: 7, hash: String(repeating: "ab", count: 32))

    @Test func aSignatureHoldsOnlyForItsIncidentHeadAndKey() throws {
        let key = SigningKey()
        let signature = try key.sign(incidentID: 3, head: head)
        #expect(key.publicKey.isValid(signature: signature, incidentID: 3, head: head))
        #expect(!key.publicKey.isValid(signature: signature, incidentID: 4, head: head))
        #expect(
            !key.publicKey.isValid(signature: signature, incidentID: 3, head: ChainHead(sequence: 8, hash: head.hash)))
        #expect(!SigningKey().publicKey.isValid(signature: signature, incidentID: 3, head: head))
    }

    @Test func aKeyFileRoundTripsWithCRLFAndRejectsAnythingElse() throws {
        let key = SigningKey()
        let crlf = key.fileContents.replacingOccurrences(of: "\n", with: "\r\n")
        #expect(try SigningKey(fileContents: crlf, path: "k").publicKey == key.publicKey)
        #expect(throws: SigningKeyError.self) { try SigningKey(fileContents: "", path: "k") }
        #expect(throws: SigningKeyError.self) {
            try SigningKey(fileContents: "\(SigningKey.fileHeader)\nc2hvcnQ=\n", path: "k")
        }
    }

    @Test func aTrustedKeysFileNamesItsBadLine() throws {
        let directory = NSTemporaryDirectory() + "signing-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/team.keys"
        let alice = SigningKey().publicKey
        try "# the team\r\n\(alice.line(comment: "alice@laptop"))\r\n\r\nssh-ed25519 AAAA bob\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        #expect(
            throws: SigningKeyError.malformed(path: path + ":4", detail: "expected `runbook-ed25519 BASE64 [COMMENT]`")
        ) {
            try PublicSigningKey.trusted(path: path)
        }
        try "# the team\r\n\(alice.line(comment: "alice@laptop"))\r\n".write(
            toFile: path, atomically: true, encoding: .utf8)
        #expect(try PublicSigningKey.trusted(path: path) == [alice: "alice@laptop"])
    }

    @Test func theDefaultPathFollowsTheEnvironment() {
        #expect(SigningKey.defaultPath(environment: ["RUNBOOK_SIGNING_KEY": "/k"]) == "/k")
        #expect(
            SigningKey.defaultPath(environment: ["XDG_CONFIG_HOME": "/c", "HOME": "/h"]) == "/c/runbook/signing.key")
        #expect(
            SigningKey.defaultPath(environment: ["XDG_CONFIG_HOME": "", "HOME": "/h"])
                == "/h/.config/runbook/signing.key")
    }
}
