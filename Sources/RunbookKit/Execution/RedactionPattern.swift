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

    /// A pattern from ICU regular expression source. Throws when the expression does not compile.
    public init(name: String, pattern: String, triggers: [String], window: Int, values: String? = nil) throws {
        self.name = name
        compiledExpression = LazyExpression(try NSRegularExpression(pattern: pattern))
        self.triggers = triggers
        self.window = window
        compiledValues = try values.map { LazyExpression(try NSRegularExpression(pattern: $0)) }
    }

    /// A built-in pattern: compiled on first use (`defaultsCompile` tests every one), because ICU compilation
    /// of all of them is a noticeable part of start-up and most output never triggers a pattern.
    init(builtIn name: String, pattern: String, triggers: [String], window: Int, values: String? = nil) {
        self.name = name
        compiledExpression = LazyExpression(source: pattern)
        self.triggers = triggers
        self.window = window
        compiledValues = values.map { LazyExpression(source: $0) }
    }

    /// The built-in patterns (documented in docs/execution.md).
    public static let defaults: [RedactionPattern] = [
        // password=…, passwd: …, PGPASSWORD=…, DB_PASSWORD="…", "password": "…"
        RedactionPattern(
            builtIn: "password",
            pattern: #"(?i)(?:pg)?pass(?:word|wd)["']?[ \t]{0,8}[=:][ \t]{0,8}"#
                + #"(?<secret>"[^"\r\n]{0,4096}"?|'[^'\r\n]{0,4096}'?|[^ \t\r\n"',;&]{1,4096})"#,
            triggers: ["pass"], window: 64),
        // Authorization: Bearer …, and bearer tokens anywhere.
        RedactionPattern(
            builtIn: "bearer-token", pattern: #"(?i)bearer[ \t]{1,8}(?<secret>[A-Za-z0-9\-._~+/]{1,8192}=*)"#,
            triggers: ["bearer"], window: 32),
        // Authorization: Basic … / Token …
        RedactionPattern(
            builtIn: "authorization",
            pattern: #"(?i)authorization:[ \t]{0,8}(?:basic|token)[ \t]{1,8}(?<secret>[A-Za-z0-9\-._~+/=]{1,8192})"#,
            triggers: ["authorization"], window: 64),
        // AWS access key ids: long-term (AKIA) and temporary (ASIA).
        RedactionPattern(
            builtIn: "aws-access-key-id", pattern: #"(?<![A-Z0-9])(?<secret>(?:AKIA|ASIA)[A-Z0-9]{16})(?![A-Z0-9])"#,
            triggers: ["akia", "asia"], window: 32),
        RedactionPattern(
            builtIn: "aws-secret-access-key",
            pattern: #"(?i)aws_secret_access_key["']?[ \t]{0,8}[=:][ \t]{0,8}["']?(?<secret>[A-Za-z0-9/+=]{1,256})"#,
            triggers: ["aws_secret_access_key"], window: 64),
        // PEM private key blocks, also when the END line never comes.
        RedactionPattern(
            builtIn: "private-key",
            pattern: #"-----BEGIN[A-Z0-9 ]{0,40}PRIVATE KEY-----"#
                // Base64 lines, `Proc-Type:`-style headers, and the blank line before the body of an
                // encrypted key (only when a body line follows, so the newline after the block stays).
                + #"(?:\r?\n(?:[A-Za-z0-9+/=]{1,128}|[A-Za-z-]{1,40}: [^\r\n]{0,128}|(?=\r?\n[A-Za-z0-9+/=]))"#
                + #"(?=\r?\n|\z)){0,400}"#
                + #"(?:\r?\n-----END[A-Z0-9 ]{0,40}PRIVATE KEY-----)?"#,
            triggers: ["-----begin"], window: 128),
        // Values under `data:` / `stringData:` in `kubectl get secret -o yaml`; the keys stay readable.
        RedactionPattern(
            builtIn: "kubernetes-secret",
            pattern: #"(?m)^([ \t]{0,32})(?:data|stringData):[ \t]{0,8}\r?\n"#
                + #"(?:\1[ \t]{1,16}[A-Za-z0-9._-]{1,253}:[^\r\n]{0,65536}(?:\r?\n|\z)){1,1000}"#,
            triggers: ["data:"], window: 512,
            values: #"(?m)^[ \t]+[A-Za-z0-9._-]{1,253}:[ \t]*(?<secret>[^ \t\r\n][^\r\n]{0,65535})"#),
        // Credentials in URLs: postgres://user:secret@host.
        RedactionPattern(
            builtIn: "url-credentials",
            pattern: #"(?i)[a-z][a-z0-9+.-]{0,20}://[^ \t\r\n:/@]{1,256}:(?<secret>[^ \t\r\n/@]{1,1024})@"#,
            triggers: ["://"], window: 1400),
    ]
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
