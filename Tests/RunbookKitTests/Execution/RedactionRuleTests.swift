import Foundation
import RunbookTestSupport
import Testing

@testable import RunbookKit

/// Each built-in rule with a secret it must replace and a near miss it must leave alone.
@Suite struct RedactionRuleTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var rule: String
        var input: String
        var expected: String
        var nearMiss: String
        var testDescription: String { rule }
    }

    static let ghp = "ghp_" + String(repeating: "a1B2", count: 9)
    static let cases: [Case] = [
        Case(
            rule: "password", input: "PGPASSWORD=s3cr3t-pw psql", expected: "PGPASSWORD=[REDACTED:password] psql",
            nearMiss: "Password for user postgres:\n"),
        Case(
            rule: "password-option", input: "mysql --password s3cr3tpw -h db",
            expected: "mysql --password [REDACTED:password-option] -h db",
            nearMiss: "pg_dump --password-file /etc/pgpass -h db"),
        Case(
            rule: "bearer-token", input: "Authorization: Bearer abc.def-ghi",
            expected: "Authorization: Bearer [REDACTED:bearer-token]", nearMiss: "a bearer-less request"),
        Case(
            rule: "authorization", input: "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEX/2015, Signature=fe5f",
            expected: "Authorization: AWS4-HMAC-SHA256 [REDACTED:authorization]",
            nearMiss: "authorization failed for user bob"),
        Case(
            rule: "api-key", input: "curl -H 'X-Api-Key: 0123456789abcdef' https://api",
            expected: "curl -H 'X-Api-Key: [REDACTED:api-key]' https://api", nearMiss: "api keys rotated: 3"),
        Case(
            rule: "client-secret", input: "client_id=app&client_secret=Zm9vYmFy&grant_type=client_credentials",
            expected: "client_id=app&client_secret=[REDACTED:client-secret]&grant_type=client_credentials",
            nearMiss: "the client secret was rotated"),
        Case(
            rule: "token", input: "token: 9f8e7d6c5b4a\nGITHUB_TOKEN=abc123def\n",
            expected: "token: [REDACTED:token]\nGITHUB_TOKEN=[REDACTED:token]\n",
            nearMiss: "tokens: 12\ntoken_count=5\n"),
        Case(
            rule: "github-token", input: "using \(ghp) and github_pat_11ABCDEFG0123456789_abcdefghijklmnop",
            expected: "using [REDACTED:github-token] and [REDACTED:github-token]", nearMiss: "ghp_short ghp_"),
        Case(
            rule: "slack-token", input: "SLACK xoxb-1234567890-abcdefghij ok",
            expected: "SLACK [REDACTED:slack-token] ok", nearMiss: "xoxo-hugs-and-kisses, xoxb-short"),
        Case(
            rule: "slack-webhook", input: "url https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXX\n",
            expected: "url https://hooks.slack.com/services/[REDACTED:slack-webhook]\n",
            nearMiss: "see https://api.slack.com/services/abcdefgh\n"),
        Case(
            rule: "pagerduty-routing-key",
            input: "POST https://events.pagerduty.com/integration/0123456789abcdef0123456789abcdef/enqueue\n"
                + "{\"routing_key\": \"fedcba9876543210fedcba9876543210\"}",
            expected: "POST https://events.pagerduty.com/integration/[REDACTED:pagerduty-routing-key]/enqueue\n"
                + "{\"routing_key\": \"[REDACTED:pagerduty-routing-key]\"}",
            nearMiss: "POST https://events.pagerduty.com/v2/enqueue 202"),
        Case(
            rule: "jwt", input: "id eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig-_abc end",
            expected: "id [REDACTED:jwt] end", nearMiss: "eyJhbGciOiJIUzI1NiJ9 is a header, not a token"),
        Case(
            rule: "aws-access-key-id", input: "key AKIAIOSFODNN7EXAMPLE here",
            expected: "key [REDACTED:aws-access-key-id] here", nearMiss: "AKIA is short, AKIAIOSFODNN7EXAMPLE1X"),
        Case(
            rule: "aws-secret-access-key",
            input: "\"SecretAccessKey\": \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\",\n"
                + "\"SessionToken\": \"FwoGZXIvYXdzEJr//////////wEaDAbc+def=\",",
            expected: "\"SecretAccessKey\": \"[REDACTED:aws-secret-access-key]\",\n"
                + "\"SessionToken\": \"[REDACTED:aws-secret-access-key]\",",
            nearMiss: "\"SessionTokenExpired\": true, \"SecretAccessKeyId\": 1"),
        Case(
            rule: "private-key",
            input: #"{"private_key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n"#
                + #"BKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n", "client_email": "x"}"#,
            expected: #"{"private_key": "[REDACTED:private-key]\n", "client_email": "x"}"#,
            nearMiss: "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOC\n-----END PUBLIC KEY-----\n"),
        Case(
            rule: "pgp-private-key",
            input: "-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: GnuPG v2\n\nlQOYBF0abcDEF+/x\n=a1b2\n"
                + "-----END PGP PRIVATE KEY BLOCK-----\nafter",
            expected: "[REDACTED:pgp-private-key]\nafter",
            nearMiss: "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQINBF0abc\n-----END PGP PUBLIC KEY BLOCK-----\n"),
        // A block pasted on one line (a note typed at the prompt): spaces where the line breaks were.
        Case(
            rule: "pgp-private-key",
            input:
                "note -----BEGIN PGP PRIVATE KEY BLOCK-----  lQOYBF0abcDEF+/x =a1b2 -----END PGP PRIVATE KEY BLOCK----- ok",
            expected: "note [REDACTED:pgp-private-key] ok",
            nearMiss: "note -----BEGIN PGP PUBLIC KEY BLOCK----- mQINBF0abc -----END PGP PUBLIC KEY BLOCK-----"),
        Case(
            rule: "kubernetes-secret", input: "data:\n  username: YWRtaW4=\nkind: Secret\n",
            expected: "data:\n  username: [REDACTED:kubernetes-secret]\nkind: Secret\n",
            nearMiss: "metadata: x\ndata: none\n"),
        Case(
            rule: "url-credentials", input: "git clone https://:s3cr3t@example.com/x postgres://app:pa55@db/app",
            expected: "git clone https://:[REDACTED:url-credentials]@example.com/x "
                + "postgres://app:[REDACTED:url-credentials]@db/app",
            nearMiss: "https://example.com:8443/path@v2"),
    ]

    @Test(arguments: cases) func ruleReplacesItsSecret(_ test: Case) {
        #expect(Redactor().redact(test.input) == test.expected)
    }

    @Test(arguments: cases) func ruleLeavesItsNearMissAlone(_ test: Case) {
        #expect(Redactor().redact(test.nearMiss) == test.nearMiss)
    }

    @Test func everyBuiltInRuleHasACaseAndADocumentedRow() throws {
        let names = RedactionPattern.defaults.map(\.name)
        #expect(Set(names).count == names.count, "rule names are unique")
        #expect(Set(Self.cases.map(\.rule)) == Set(names))
        let docs = try String(contentsOf: Self.repository.appendingPathComponent("docs/execution.md"), encoding: .utf8)
        for pattern in RedactionPattern.defaults {
            let row = "| `\(pattern.name)` | \(pattern.what) | \(pattern.replaced) |"
            #expect(docs.contains(row), "docs/execution.md lacks the row \(row)")
        }
    }

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
}

/// Redaction matches the visible text: escape sequences inside a secret do not hide it.
@Suite struct ANSIRedactionTests {
    static let colouredSecret = "hun\u{1B}[01;31mter2\u{1B}[0m done\n"

    func redactor() -> Redactor {
        let redactor = Redactor()
        redactor.addSecret(name: "PW", value: "hunter2")
        return redactor
    }

    @Test func aSecretSplitByColourCodesIsRedactedFromItsFirstByteToItsLast() {
        #expect(redactor().redact(Self.colouredSecret) == "[REDACTED:PW]\u{1B}[0m done\n")
    }

    @Test func aColouredPatternMatchKeepsTheEscapesOutsideTheSecret() {
        let text = "\u{1B}[1mpassword\u{1B}[0m=\u{1B}[32ms3cr3t\u{1B}[0m\r\nnext\r\n"
        #expect(
            redactor().redact(text) == "\u{1B}[1mpassword\u{1B}[0m=\u{1B}[32m[REDACTED:password]\u{1B}[0m\r\nnext\r\n")
    }

    @Test func grepColourOutputIsRedacted() {
        // `grep --color=always hunter2`: the match wrapped in SGR and erase-line codes.
        let text = "DB_PASS_FILE: \u{1B}[01;31m\u{1B}[Khunter2\u{1B}[m\u{1B}[K\n"
        #expect(redactor().redact(text) == "DB_PASS_FILE: \u{1B}[01;31m\u{1B}[K[REDACTED:PW]\u{1B}[m\u{1B}[K\n")
    }

    @Test func aColouredSecretSplitAcrossReadsIsRedactedAtEverySplit() {
        let redactor = redactor()
        let bytes = Data(("before\n" + Self.colouredSecret).utf8)
        for split in 1..<bytes.count {
            let sink = CollectingOutputSink()
            let streaming = StreamingRedactor(redactor: redactor, forwardingTo: sink)
            streaming.receive(bytes.prefix(split), offset: 0.1)
            streaming.receive(bytes.suffix(from: split), offset: 0.2)
            streaming.finish()
            #expect(sink.text == "before\n[REDACTED:PW]\u{1B}[0m done\n", "split at \(split)")
        }
    }

    @Test func aColouredSecretInLongOutputReadInSmallPiecesIsRedacted() {
        let redactor = redactor()
        let filler = String(repeating: "\u{1B}[32mok\u{1B}[0m lorem ipsum\n", count: 1500)
        let bytes = Data((filler + Self.colouredSecret + filler + Self.colouredSecret).utf8)
        for step in [1, 5, 13, 4096] {
            let sink = CollectingOutputSink()
            let streaming = StreamingRedactor(redactor: redactor, forwardingTo: sink)
            var position = 0
            while position < bytes.count {
                let end = min(bytes.count, position + step)
                streaming.receive(bytes.subdata(in: position..<end), offset: Double(position))
                position = end
            }
            streaming.finish()
            #expect(!ANSIText.strip(sink.data).contains("hunter2"), "pieces of \(step)")
            #expect(sink.data == redactor.redact(bytes), "pieces of \(step)")
        }
    }

    @Test func aCutInsideEscapesMovesBackToTheLastVisibleByte() {
        // "ab\e[1mc": visible bytes at 0, 1 and 6.
        let offsets = [0, 1, 6]
        #expect(StreamingRedactor.outsideEscapes(1, visibleOffsets: offsets) == 1)
        #expect(StreamingRedactor.outsideEscapes(4, visibleOffsets: offsets) == 2)
        #expect(StreamingRedactor.outsideEscapes(6, visibleOffsets: offsets) == 6)
        #expect(StreamingRedactor.outsideEscapes(9, visibleOffsets: offsets) == 7)
        #expect(StreamingRedactor.outsideEscapes(5000, visibleOffsets: offsets) == 5000)
    }
}
