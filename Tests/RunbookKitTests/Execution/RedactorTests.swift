import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

@Suite struct RedactorTests {
    @Test(arguments: [
        ("PGPASSWORD=s3cr3t-pw psql", "PGPASSWORD=[REDACTED:password] psql"),
        ("password: hunter22\n", "password: [REDACTED:password]\n"),
        ("passwd:hunter22", "passwd:[REDACTED:password]"),
        ("DB_PASSWORD=\"a b c\" next", "DB_PASSWORD=[REDACTED:password] next"),
        ("{\"password\": \"x1y2\"}", "{\"password\": [REDACTED:password]}"),
        ("Authorization: Bearer eyJhbGciOi.J9.abc-_", "Authorization: Bearer [REDACTED:bearer-token]"),
        ("curl -H 'authorization: basic dXNlcjpwYXNz'", "curl -H 'authorization: basic [REDACTED:authorization]'"),
        ("key AKIAIOSFODNN7EXAMPLE here", "key [REDACTED:aws-access-key-id] here"),
        ("ASIAY34FZKBOKMUTVV7A", "[REDACTED:aws-access-key-id]"),
        (
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "aws_secret_access_key = [REDACTED:aws-secret-access-key]"
        ),
        (
            "DATABASE_URL=postgres://app:pa55word@db:5432/app",
            "DATABASE_URL=postgres://app:[REDACTED:url-credentials]@db:5432/app"
        ),
    ])
    func knownSecretShapesAreRedacted(input: String, expected: String) {
        #expect(Redactor().redact(input) == expected)
    }

    @Test func defaultsCompile() throws {
        // Built-in patterns compile on first use; each must compile, and so must its values expression.
        for pattern in RedactionPattern.defaults {
            let compiled = try NSRegularExpression(pattern: pattern.expression.pattern)
            #expect(compiled.pattern == pattern.expression.pattern, "\(pattern.name)")
            if let values = pattern.values { #expect(!values.pattern.isEmpty) }
        }
        #expect(RedactionPattern.defaults.count >= 8)
    }

    @Test func ordinaryOutputIsLeftAlone() {
        let text = "Password for user postgres:\nNAME READY STATUS\napi-7d9 1/1 Running\nAKIA is short\ndata: none\n"
        #expect(Redactor().redact(text) == text)
    }

    @Test func privateKeyBlocksAreRedactedWhole() {
        let text = """
            before
            -----BEGIN RSA PRIVATE KEY-----
            MIIEowIBAAKCAQEA1c2n0Y3xW8bZ9
            Proc-Type: 4,ENCRYPTED
            q83jfh38fh3=
            -----END RSA PRIVATE KEY-----
            after
            """
        #expect(Redactor().redact(text) == "before\n[REDACTED:private-key]\nafter")
    }

    @Test func privateKeyWithoutEndLineIsStillRedacted() {
        let text = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\nAAAABG5vbmU=\n"
        #expect(Redactor().redact(text) == "[REDACTED:private-key]\n")
    }

    @Test func kubernetesSecretDataValuesAreRedactedAndKeysKept() {
        let yaml = """
            apiVersion: v1
            data:
              username: YWRtaW4=
              tls.crt: LS0tLS1CRUdJTiBDRVJU
            kind: Secret
            metadata:
              name: db-credentials
            """
        let expected = """
            apiVersion: v1
            data:
              username: [REDACTED:kubernetes-secret]
              tls.crt: [REDACTED:kubernetes-secret]
            kind: Secret
            metadata:
              name: db-credentials
            """
        #expect(Redactor().redact(yaml) == expected)
    }

    @Test func overlappingMatchesBecomeOneMarkerNamedAfterTheEarlierPattern() {
        let yaml = "data:\n  password: MWYyZDFl\n"
        #expect(Redactor().redact(yaml) == "data:\n  password: [REDACTED:password]\n")
    }

    @Test func registeredSecretValuesAreRedactedByName() {
        let redactor = Redactor()
        redactor.addSecret(name: "DB_TOKEN", value: "tok-4f9a")
        #expect(
            redactor.redact("token is tok-4f9a, again tok-4f9a.")
                == "token is [REDACTED:DB_TOKEN], again [REDACTED:DB_TOKEN].")
        redactor.addSecret(name: "ONE", value: "x")
        #expect(redactor.redact("x marks") == "x marks")
    }

    @Test func aSecretIsFoundAtEveryPositionAndAtTheVeryEnd() {
        let redactor = Redactor(patterns: [])
        redactor.addSecret(name: "PIN", value: "q7")
        redactor.addSecret(name: "TOKEN", value: "tok-secret-9")
        for before in 0..<12 {
            for after in 0..<6 {
                let padding = (String(repeating: "x", count: before), String(repeating: "y", count: after))
                #expect(
                    redactor.redact(padding.0 + "tok-secret-9" + padding.1)
                        == padding.0 + "[REDACTED:TOKEN]" + padding.1, "\(before) before, \(after) after")
                #expect(redactor.redact(padding.0 + "q7" + padding.1) == padding.0 + "[REDACTED:PIN]" + padding.1)
            }
        }
    }

    @Test func customPatternListReplacesTheDefaults() throws {
        let ticket = try RedactionPattern(
            name: "ticket", pattern: #"TCK-(?<secret>[0-9]{4})"#, triggers: ["tck-"], window: 8)
        let redactor = Redactor(patterns: [ticket])
        #expect(redactor.redact("TCK-1234 password=x") == "TCK-[REDACTED:ticket] password=x")
    }

    @Test func binaryBytesSurviveRedaction() {
        let redactor = Redactor()
        redactor.addSecret(name: "S", value: "abcd")
        let input = Data([0x00, 0xFF, 0x80]) + Data("abcd".utf8) + Data([0xC3, 0x28, 0x0A])
        #expect(
            redactor.redact(input) == Data([0x00, 0xFF, 0x80]) + Data("[REDACTED:S]".utf8) + Data([0xC3, 0x28, 0x0A]))
    }
}

@Suite struct StreamingRedactorTests {
    static let sample = """
        starting PGPASSWORD=pw-0001 export AKIAIOSFODNN7EXAMPLE
        token=tok-secret-9 and Authorization: Bearer abc.def.ghi
        -----BEGIN PRIVATE KEY-----
        MIIEvQIBADANBgkqhkiG9w0BAQEFAASC
        -----END PRIVATE KEY-----
        data:
          user: YWRtaW4=
        done
        """

    func redactor() -> Redactor {
        let redactor = Redactor()
        redactor.addSecret(name: "TOKEN", value: "tok-secret-9")
        return redactor
    }

    @Test func everySplitPointGivesTheSameResultAsOneShot() {
        let redactor = redactor()
        let bytes = Data(Self.sample.utf8)
        let expected = redactor.redact(bytes)
        for split in 1..<bytes.count {
            let sink = CollectingOutputSink()
            let streaming = StreamingRedactor(redactor: redactor, forwardingTo: sink)
            streaming.receive(bytes.prefix(split), offset: 0.1)
            streaming.receive(bytes.suffix(from: split), offset: 0.2)
            streaming.finish()
            #expect(sink.data == expected, "split at \(split)")
            #expect(!sink.text.contains("tok-secret-9"))
            #expect(!sink.text.contains("pw-0001"))
        }
    }

    @Test func secretSplitAcrossManySmallChunksInLongOutputIsCaught() {
        let redactor = redactor()
        let filler = String(repeating: "lorem ipsum dolor\n", count: 2000)
        let text = filler + "the token tok-secret-9 leaked\n" + filler + "PGPASSWORD=pw-0002\n" + filler
        let bytes = Data(text.utf8)
        let sink = CollectingOutputSink()
        let streaming = StreamingRedactor(redactor: redactor, forwardingTo: sink)
        var position = 0
        var chunkSize = 1
        while position < bytes.count {
            let end = min(bytes.count, position + chunkSize)
            streaming.receive(bytes.subdata(in: position..<end), offset: Double(position))
            position = end
            chunkSize = chunkSize % 997 + 7
        }
        streaming.finish()
        #expect(sink.data == redactor.redact(bytes))
        #expect(!sink.text.contains("tok-secret-9"))
        #expect(!sink.text.contains("pw-0002"))
        #expect(sink.finishCount == 1)
    }

    @Test func chunkTimingIsKept() {
        let sink = CollectingOutputSink()
        let streaming = StreamingRedactor(redactor: redactor(), forwardingTo: sink)
        streaming.receive(Data("first\n".utf8), offset: 1)
        streaming.receive(Data("second\n".utf8), offset: 2)
        streaming.finish()
        #expect(sink.chunks.map(\.offset) == [1, 2])
        #expect(sink.text == "first\nsecond\n")
    }

    @Test func readsWithinOneMillisecondArePassedOnAsOneChunk() {
        let sink = CollectingOutputSink()
        let streaming = StreamingRedactor(redactor: redactor(), forwardingTo: sink)
        streaming.receive(Data("a".utf8), offset: 1.0001)
        streaming.receive(Data("b".utf8), offset: 1.0004)
        streaming.receive(Data("c".utf8), offset: 1.002)
        streaming.finish()
        #expect(sink.chunks.map(\.offset) == [1.0001, 1.002])
        #expect(sink.text == "abc")
    }

    @Test func nothingIsHeldBackForeverAfterFinish() {
        let sink = CollectingOutputSink()
        let streaming = StreamingRedactor(redactor: redactor(), forwardingTo: sink)
        streaming.receive(Data("tok-sec".utf8), offset: 0)
        #expect(sink.data.isEmpty)
        streaming.finish()
        #expect(sink.text == "tok-sec")
    }
}
