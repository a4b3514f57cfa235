import Foundation

/// A kind of secret recognised by its shape in output, replaced by `[REDACTED:name]` before storage.
///
/// Patterns are ICU regular expressions matched against output decoded as ISO-8859-1, so that every byte is
/// one character and match ranges are byte ranges (binary output included). When the expression has a group
/// named `secret`, only that group is replaced (`password=[REDACTED:password]` keeps the key readable).
///
/// Streaming redaction relies on two properties every pattern must have: `window` bytes after the start of a
/// match are always enough for the expression to match (a longer secret extends the match, it never delays
/// it), and matches are bounded (no unbounded `+`), so held-back output stays small.
public struct RedactionPattern: @unchecked Sendable {
    /// Name shown in the marker.
    public let name: String
    /// The expression (thread-safe for matching).
    public var expression: NSRegularExpression { compiledExpression.expression }
    private let compiledExpression: LazyExpression
    /// Literal text (matched case-insensitively) that every match contains; output without any of them is
    /// not searched with the expression at all, which keeps bulk output cheap. Empty: always search.
    public let triggers: [String]
    /// Bytes from the start of a match within which the expression is sure to have matched.
    public let window: Int
    /// When set, the secrets are the `secret` groups of this expression's matches inside each match (used
    /// where one match holds many values, such as the `data:` block of a Kubernetes secret).
    public var values: NSRegularExpression? { compiledValues?.expression }
    private let compiledValues: LazyExpression?
    /// Whether a match may go on past a line break (a key block, the `data:` block of a secret): a streaming
    /// redactor that releases complete lines early keeps such a match back when it reaches their end. `true` for
    /// every pattern of a team's own (nobody checked), `false` for built-in ones whose values stop at a line break.
    public let spansLines: Bool

    /// A pattern from ICU regular expression source. Throws when the expression does not compile.
    public init(
        name: String, pattern: String, triggers: [String], window: Int, values: String? = nil,
        what: String? = nil, replaced: String = "the `secret` group, else the whole match"
    ) throws {
        self.name = name
        self.what = what ?? "matches `\(pattern)`"
        self.replaced = replaced
        compiledExpression = LazyExpression(try NSRegularExpression(pattern: pattern))
        self.triggers = triggers
        self.window = window
        compiledValues = try values.map { LazyExpression(try NSRegularExpression(pattern: $0)) }
        spansLines = true
    }

    /// What the pattern finds, for people (`docs/execution.md` lists every built-in one).
    public let what: String
    /// What is replaced by the marker.
    public let replaced: String

    /// A built-in pattern: compiled on first use (`defaultsCompile` tests every one), because ICU compilation
    /// of all of them is a noticeable part of start-up and most output never triggers a pattern.
    init(
        builtIn name: String, what: String, replaced: String, pattern: String, triggers: [String], window: Int,
        values: String? = nil, spansLines: Bool = false
    ) {
        self.spansLines = spansLines
        self.name = name
        self.what = what
        self.replaced = replaced
        compiledExpression = LazyExpression(source: pattern)
        self.triggers = triggers
        self.window = window
        compiledValues = values.map { LazyExpression(source: $0) }
    }

    /// The value after `key=` or `key: `: quoted (to the closing quote) or a word.
    private static let assignedValue =
        #"(?<secret>"[^"\r\n]{0,4096}"?|'[^'\r\n]{0,4096}'?|[^ \t\r\n"',;&]{1,4096})"#
    /// A line break inside a key block: a real one, `\n` escaped in a JSON string (a GCP service account), or
    /// spaces where a pasted block lost its line breaks (a note typed at the prompt, a flattened log line).
    private static let keyLineBreak = #"(?:\r?\n|(?:\\r)?\\n|[ \t]{1,8})"#

    /// The built-in rules, one per kind of secret (documented, in this order, in docs/execution.md; each has a
    /// test with a match and a near miss in `RedactionRuleTests`). Where two overlap, the earlier name is shown.
    public static let defaults: [RedactionPattern] = [
        RedactionPattern(
            builtIn: "password",
            what: "`password=…`, `passwd: …`, `PGPASSWORD=…`, `DB_PASSWORD=\"…\"`, `\"password\": \"…\"` (any case)",
            replaced: "the value",
            pattern: #"(?i)(?:pg)?pass(?:word|wd)["']?[ \t]{0,8}[=:][ \t]{0,8}"# + assignedValue,
            triggers: ["pass"], window: 64),
        RedactionPattern(
            builtIn: "password-option",
            what: "`--password VALUE`, `--db-password=VALUE`, `--token VALUE`, `--api-key VALUE` on a command line",
            replaced: "the value",
            pattern: #"(?i)(?<![A-Za-z0-9-])--(?:[a-z0-9]{1,32}-){0,3}(?:password|passwd|token|secret|api-key)"#
                + #"(?:[ \t]{1,8}|=)"# + assignedValue,
            triggers: ["pass", "token", "secret", "api-key"], window: 96),
        RedactionPattern(
            builtIn: "bearer-token", what: "`Authorization: Bearer …` and `bearer …` tokens", replaced: "the token",
            pattern: #"(?i)bearer[ \t]{1,8}(?<secret>[A-Za-z0-9\-._~+/]{1,8192}=*)"#,
            triggers: ["bearer"], window: 32),
        RedactionPattern(
            builtIn: "authorization",
            what:
                "`Authorization:` and `Proxy-Authorization:` headers of any scheme (`Basic`, `Token`, `AWS4-HMAC-SHA256`, none)",
            replaced: "the credential; the scheme stays",
            pattern: #"(?i)(?<![A-Za-z])authorization["']?[ \t]{0,8}[=:][ \t]{0,8}["']?"#
                + #"(?:[A-Za-z][A-Za-z0-9._-]{0,31}[ \t]{1,8}(?=[^ \t\r\n]))?(?<secret>[^ \t\r\n"',][^\r\n"']{0,8191})"#,
            triggers: ["authorization"], window: 96),
        RedactionPattern(
            builtIn: "api-key", what: "`X-Api-Key: …`, `api_key=…`, `apikey: …` headers and assignments",
            replaced: "the value",
            pattern: #"(?i)(?<![A-Za-z0-9])(?:x-)?api[_-]?key["']?[ \t]{0,8}[=:][ \t]{0,8}"# + assignedValue,
            triggers: ["apikey", "api_key", "api-key"], window: 64),
        RedactionPattern(
            builtIn: "client-secret", what: "`client_secret=…`, `client-secret: …`, `\"clientSecret\": \"…\"`",
            replaced: "the value",
            pattern: #"(?i)client[_-]?secret["']?[ \t]{0,8}[=:][ \t]{0,8}"# + assignedValue,
            triggers: ["client"], window: 64),
        RedactionPattern(
            builtIn: "token",
            what: "`token: …`, `GITHUB_TOKEN=…`, `access_token=…`, `SLACK_TOKEN: …` (a key ending in `token`)",
            replaced: "the value",
            pattern: #"(?i)(?<![A-Za-z0-9])(?:[a-z0-9]{1,32}[_-]){0,4}token["']?[ \t]{0,8}[=:][ \t]{0,8}"#
                + assignedValue,
            triggers: ["token"], window: 192),
        RedactionPattern(
            builtIn: "github-token",
            what: "GitHub tokens: `ghp_…`, `gho_…`, `ghu_…`, `ghs_…`, `ghr_…` (36+ characters), `github_pat_…`",
            replaced: "the token",
            pattern: #"(?<![A-Za-z0-9_])(?<secret>gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})"#,
            triggers: ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"], window: 64),
        RedactionPattern(
            builtIn: "slack-token", what: "Slack tokens `xoxb-…`, `xoxp-…`, `xoxa-…`, `xoxe-…`, `xoxr-…`, `xoxs-…`",
            replaced: "the token",
            pattern: #"(?<![A-Za-z0-9])(?<secret>xox[abpsre]-[A-Za-z0-9-]{10,255})"#,
            triggers: ["xox"], window: 32),
        RedactionPattern(
            builtIn: "slack-webhook",
            what: "Slack webhook URLs `hooks.slack.com/services/…` (also `/workflows/`, `/triggers/`)",
            replaced: "the path after `services/`; the host stays",
            pattern: #"(?i)hooks\.slack\.com/(?:services|workflows|triggers)/(?<secret>[A-Za-z0-9/_-]{8,512})"#,
            triggers: ["hooks.slack"], window: 64),
        RedactionPattern(
            builtIn: "pagerduty-routing-key",
            what: "PagerDuty routing keys in `events.pagerduty.com` URLs (`/integration/KEY/`, `/x-ere/KEY`, "
                + "`?routing_key=KEY`) and in `routing_key` fields",
            replaced: "the key",
            pattern: #"(?i)(?:events(?:\.eu)?\.pagerduty\.com/(?:integration/|x-ere/|[^ \t\r\n"'?]{0,64}\?"#
                + #"(?:[^ \t\r\n"'#]{0,256}&)?routing_key=)|routing_key["']?[ \t]{0,8}[=:][ \t]{0,8}["']?)"#
                + #"(?<secret>[A-Za-z0-9]{20,64})"#,
            triggers: ["pagerduty.com", "routing_key"], window: 400),
        RedactionPattern(
            builtIn: "jwt", what: "JSON Web Tokens `eyJ….eyJ….…`", replaced: "the token",
            pattern: #"(?<![A-Za-z0-9_-])(?<secret>eyJ[A-Za-z0-9_-]{5,1024}\.eyJ[A-Za-z0-9_-]{2,8192}"#
                + #"\.[A-Za-z0-9_-]{0,8192})"#,
            triggers: ["eyj"], window: 1040),
        // AWS access key ids: long-term (AKIA) and temporary (ASIA).
        RedactionPattern(
            builtIn: "aws-access-key-id", what: "`AKIA…` / `ASIA…` followed by 16 capitals or digits",
            replaced: "the key id",
            pattern: #"(?<![A-Z0-9])(?<secret>(?:AKIA|ASIA)[A-Z0-9]{16})(?![A-Z0-9])"#,
            triggers: ["akia", "asia"], window: 32),
        RedactionPattern(
            builtIn: "aws-secret-access-key",
            what: "`aws_secret_access_key = …`, `aws_session_token = …`, and STS JSON `\"SecretAccessKey\": \"…\"`, "
                + "`\"SessionToken\": \"…\"`",
            replaced: "the value",
            pattern: #"(?i)(?:aws_secret_access_key|aws_session_token|SecretAccessKey|SessionToken)["']?[ \t]{0,8}"#
                + #"[=:][ \t]{0,8}["']?(?<secret>[A-Za-z0-9/+=]{1,8192})"#,
            triggers: ["aws_secret_access_key", "aws_session_token", "secretaccesskey", "sessiontoken"],
            window: 64),
        // PEM private key blocks, also when the END line never comes.
        RedactionPattern(
            builtIn: "private-key",
            what: "PEM blocks `-----BEGIN … PRIVATE KEY-----` … `-----END … PRIVATE KEY-----` (also unterminated, "
                + "and with `\\n` escapes inside a JSON string, as in a GCP service-account `private_key`)",
            replaced: "the whole block",
            pattern: privateKeyBlock(
                #"-----BEGIN[A-Z0-9 ]{0,40}PRIVATE KEY-----"#, #"-----END[A-Z0-9 ]{0,40}PRIVATE KEY-----"#),
            triggers: ["-----begin"], window: 128, spansLines: true),
        RedactionPattern(
            builtIn: "pgp-private-key",
            what: "PGP armour `-----BEGIN PGP PRIVATE KEY BLOCK-----` … `-----END PGP PRIVATE KEY BLOCK-----`",
            replaced: "the whole block",
            pattern: privateKeyBlock(
                #"-----BEGIN PGP PRIVATE KEY BLOCK-----"#, #"-----END PGP PRIVATE KEY BLOCK-----"#),
            triggers: ["-----begin pgp"], window: 128, spansLines: true),
        // Values under `data:` / `stringData:` in `kubectl get secret -o yaml`; the keys stay readable.
        RedactionPattern(
            builtIn: "kubernetes-secret",
            what: "the values under `data:` / `stringData:` in `kubectl get secret -o yaml`",
            replaced: "each value; keys stay",
            pattern: #"(?m)^([ \t]{0,32})(?:data|stringData):[ \t]{0,8}\r?\n"#
                + #"(?:\1[ \t]{1,16}[A-Za-z0-9._-]{1,253}:[^\r\n]{0,65536}(?:\r?\n|\z)){1,1000}"#,
            triggers: ["data:"], window: 512,
            values: #"(?m)^[ \t]+[A-Za-z0-9._-]{1,253}:[ \t]*(?<secret>[^ \t\r\n][^\r\n]{0,65535})"#,
            spansLines: true),
        // Credentials in URLs: postgres://user:secret@host.
        RedactionPattern(
            builtIn: "url-credentials", what: "`scheme://user:secret@host` (also an empty user: `https://:token@host`)",
            replaced: "the password",
            pattern: #"(?i)[a-z][a-z0-9+.-]{0,20}://[^ \t\r\n:/@]{0,256}:(?<secret>[^ \t\r\n/@]{1,1024})@"#,
            triggers: ["://"], window: 1400),
    ]

    /// A key block from `begin` to `end`: base64 lines, `Proc-Type:`-style headers, and the blank line before
    /// the body of an encrypted key or PGP armour (only when a body line follows, so the line break after the
    /// block stays); also when the end line never comes.
    private static func privateKeyBlock(_ begin: String, _ end: String) -> String {
        begin
            + #"(?:"# + keyLineBreak + #"(?:[A-Za-z0-9+/=]{1,128}|[A-Za-z-]{1,40}: [^\r\n\\"]{0,128}|(?="#
            + keyLineBreak + #"[A-Za-z0-9+/=]))"#
            + #"(?="# + keyLineBreak + #"|\z|")){0,400}"#
            + #"(?:"# + keyLineBreak + end + #")?"#
    }
}

/// An ICU expression compiled once, on first use (thread-safe).
final class LazyExpression: @unchecked Sendable {
    private let source: String
    private let lock = NSLock()
    private var compiled: NSRegularExpression?

    /// An expression compiled already (a pattern the caller checked).
    init(_ expression: NSRegularExpression) {
        source = expression.pattern
        compiled = expression
    }

    /// An expression compiled when it is first needed; `source` must compile (built-in patterns only).
    init(source: String) { self.source = source }

    var expression: NSRegularExpression {
        lock.withLock {
            if let compiled { return compiled }
            // Built-in sources are fixed text, compiled in the tests; a failure here is a programming error.
            let expression = try! NSRegularExpression(pattern: source)
            compiled = expression
            return expression
        }
    }
}
