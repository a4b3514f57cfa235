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

    @Test func releasingCompleteLinesPassesThemOnAndKeepsThePartialLine() {
        let sink = CollectingOutputSink()
        let streaming = StreamingRedactor(redactor: redactor(), forwardingTo: sink)
        streaming.receive(Data("NAME   READY\napi-1  0/1\napi-2  1/".utf8), offset: 1)
        #expect(sink.data.isEmpty, "held back while the command is busy")
        streaming.releaseCompleteLines()
        #expect(sink.text == "NAME   READY\napi-1  0/1\n")
        streaming.releaseCompleteLines()
        #expect(sink.text == "NAME   READY\napi-1  0/1\n", "a partial line waits for its end")
        streaming.receive(Data("1\n".utf8), offset: 2)
        streaming.finish()
        #expect(sink.text == "NAME   READY\napi-1  0/1\napi-2  1/1\n")
        #expect(sink.chunks.map(\.offset) == [1, 1, 2])
        streaming.releaseCompleteLines()
        #expect(sink.finishCount == 1)
    }

    /// Output that pauses at any point, once or twice, with the complete lines released at each pause (what the
    /// transcript writer does for a quiet command): the store gets what one pass over the whole output gives,
    /// and never a secret. The sample has a key block that goes on after its first lines, one never ended, a
    /// `data:` block of a secret, a secret value of several lines, and a secret split by colour codes.
    @Test func aPauseAnywhereNeverLeaksASecretAndStoresWhatOnePassStores() {
        let redactor = redactor()
        redactor.addSecret(name: "MULTI", value: "multi-one-SECRET\nmulti-two-SECRET")
        let text =
            Self.sample
            + "\n-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASD\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASE\n"
            + "-----END PRIVATE KEY-----\ndata:\n  password: aHVudGVyMg==\n  token: c2VjcmV0LXRvaw==\nafter\n"
            + "here \u{1B}[31mtok-\u{1B}[0msecret-9 in colour\nmulti-one-SECRET\nmulti-two-SECRET\n"
            + "-----BEGIN RSA PRIVATE KEY-----\nMIIEunterminatedBODYLINE0001\nMIIEunterminatedBODYLINE0002\n"
        let bytes = Data(text.utf8)
        let expected = redactor.redact(bytes)
        let secrets = [
            "pw-0001", "tok-secret-9", "secret-9", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC",
            "MIIEvQIBADANBgkqhkiG9w0BAQEFAASD",
            "MIIEvQIBADANBgkqhkiG9w0BAQEFAASE", "YWRtaW4=", "aHVudGVyMg==", "c2VjcmV0LXRvaw==", "multi-one-SECRET",
            "multi-two-SECRET", "unterminatedBODYLINE",
        ]
        for secret in secrets { #expect(!String(decoding: expected, as: UTF8.self).contains(secret), "\(secret)") }
        let lineEnds = bytes.indices.filter { bytes[$0] == 0x0A }.map { $0 + 1 }
        var pauses = (1..<bytes.count).map { [$0] }
        for (index, first) in lineEnds.enumerated() {
            for second in lineEnds[(index + 1)...] { pauses.append([first, second]) }
            pauses.append([first - 3, first + 5])
        }
        var leaks: [String] = []
        for points in pauses {
            let sink = CollectingOutputSink()
            let streaming = StreamingRedactor(redactor: redactor, forwardingTo: sink)
            var start = 0
            for point in points where point > start && point < bytes.count {
                streaming.receive(bytes.subdata(in: start..<point), offset: Double(start))
                streaming.releaseCompleteLines()
                start = point
            }
            streaming.receive(bytes.subdata(in: start..<bytes.count), offset: Double(start))
            streaming.finish()
            if sink.data != expected { leaks.append("pauses at \(points): \(sink.text)") }
            for secret in secrets where sink.text.contains(secret) {
                leaks.append("\(secret) stored, pauses at \(points)")
            }
        }
        #expect(leaks.count == 0, "\(leaks.prefix(3).joined(separator: "\n"))")
    }
}
