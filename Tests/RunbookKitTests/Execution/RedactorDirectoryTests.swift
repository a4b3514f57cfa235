import Foundation
import RunbookKit
import Testing

/// A runbooks directory's `redaction.yaml` adds rules to the built-in ones.
@Suite struct RedactorDirectoryTests {
    func directory(with yaml: String?) throws -> String {
        let directory = NSTemporaryDirectory() + "redaction-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if let yaml { try yaml.write(toFile: directory + "/redaction.yaml", atomically: true, encoding: .utf8) }
        return directory
    }

    @Test func aDirectoryWithoutTheFileHasTheBuiltInRules() throws {
        let loaded = Redactor.loadPatterns(directory: try directory(with: nil))
        #expect(loaded.errors.isEmpty)
        #expect(loaded.patterns.map(\.name) == RedactionPattern.defaults.map(\.name))
    }

    @Test func aDirectoryRuleRedactsItsSecretGroupOrItsWholeMatch() throws {
        let path = try directory(
            with: """
                rules:
                  - name: ticket-key
                    pattern: 'TICKET-KEY-(?<secret>[0-9a-f]{8})'
                  - {name: internal_pin, pattern: 'PIN[0-9]{4}'}
                """)
        let redactor = try Redactor(directory: path)
        #expect(
            redactor.redact("use TICKET-KEY-0a1b2c3d and PIN1234, not PIN12")
                == "use TICKET-KEY-[REDACTED:ticket-key] and [REDACTED:internal_pin], not PIN12")
        // The built-in rules still apply.
        #expect(redactor.redact("password=x1") == "password=[REDACTED:password]")
    }

    @Test(arguments: [
        ("rules:\n  - name: x\n    pattern: '(unclosed'\n", "pattern `(unclosed` is not a regular expression", 3, 14),
        ("rules:\n  - name: jwt\n    pattern: 'x+'\n", "a rule named `jwt` already exists", 2, 11),
        ("rules:\n  - name: e\n    pattern: 'x*'\n", "matches empty text", 3, 14),
        ("rules:\n  - name: 'a b'\n    pattern: 'x+'\n", "must be letters, digits", 2, 11),
        ("rules:\n  - name: n\n", "needs both `name` and `pattern`", 2, 5),
        ("rules:\n  - name: n\n    pattern: x\n    reason: y\n", "reason", 4, 5),
        ("rule: []\n", "rule", 1, 1),
        ("rules: [\n", "not valid YAML", 2, 1),
    ])
    func aBadRuleIsAnErrorAtItsPlace(yaml: String, message: String, line: Int, column: Int) throws {
        let path = try directory(with: yaml)
        let loaded = Redactor.loadPatterns(directory: path)
        let error = try #require(loaded.errors.first)
        #expect(error.summary.contains(message), "\(error.summary)")
        #expect(error.location == SourceLocation(file: path + "/redaction.yaml", line: line, column: column))
        #expect(error.exitStatus == .usage)
        #expect(throws: ConfigurationError.self) { try Redactor(directory: path) }
    }
}
