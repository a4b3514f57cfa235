import Foundation

/// One named way a command can remove or replace something: `kubectl-delete`, `sql-drop`, or a runbooks
/// directory's own pattern. `runbook lint` names the rule that matched.
public struct DestructiveRule: Sendable {
    /// How a rule looks at a command.
    public enum Test: Sendable {
        /// A simple command (between `;`, `|`, `&`) that runs one of `tools` (by name or path) followed by one of
        /// `words` (a word ending in `*` is a prefix: `delete-*`; none given: any), and for which `condition`, when
        /// given, holds of the words after the tool. Words are lower-cased and unquoted.
        case command(
            tools: [String], words: [String], condition: (@Sendable (ArraySlice<String>) -> Bool)? = nil)
        /// SQL anywhere in a line (`psql -c "DROP TABLE …"`): `keyword` as a word, upper-cased, followed by one
        /// of `objects` when given.
        case sql(keyword: String, objects: [String]?)
        /// A regular expression searched in each line of the command (comments removed, quotes taken out,
        /// `\`-continued lines joined, words separated by one space).
        case pattern(CompiledPattern)
    }

    /// A compiled regular expression with its source.
    public struct CompiledPattern: @unchecked Sendable {
        /// The pattern as written.
        public let source: String
        // NSRegularExpression is immutable and documented thread-safe for matching.
        let expression: NSRegularExpression

        /// Compiles `source`; throws when it is not a valid ICU regular expression.
        public init(_ source: String) throws {
            self.source = source
            expression = try NSRegularExpression(pattern: source)
        }
    }

    /// The rule's name, as lint shows it: `kubectl-delete`.
    public var name: String
    /// Why a match is destructive, for the responder: "`kubectl delete` removes resources".
    public var reason: String
    /// How the rule looks at a command.
    public var test: Test

    /// A rule; `test` decides what matches.
    public init(name: String, reason: String, test: Test) {
        self.name = name
        self.reason = reason
        self.test = test
    }

    /// Whether `word` is one of a command rule's `words` (`delete-*` is a prefix).
    static func isKeyword(_ word: String, of words: [String]) -> Bool {
        words.contains { $0.hasSuffix("*") ? word.hasPrefix($0.dropLast()) : word == $0 }
    }

    /// The built-in rules (documented in docs/runbook-format.md).
    public static let builtIn: [DestructiveRule] = [
        kubernetes("delete", "`kubectl delete` / `oc delete` removes resources", words: ["delete"]),
        kubernetes("drain", "`kubectl drain` / `oc adm drain` evicts every pod from a node", words: ["drain"]),
        kubernetes("cordon", "`kubectl cordon` / `oc adm cordon` stops scheduling on a node", words: ["cordon"]),
        kubernetes("scale-to-zero", "`kubectl scale --replicas=0` stops every pod", words: ["scale"]) { words in
            words.indices.contains { index in
                words[index] == "--replicas=0"
                    || (words[index] == "--replicas" && index + 1 < words.endIndex && words[index + 1] == "0")
            }
        },
        kubernetes("rollout-undo", "`kubectl rollout undo` replaces the running version", words: ["undo"]) { words in
            guard let undo = words.firstIndex(of: "undo") else { return false }
            return words[..<undo].contains("rollout")
        },
        DestructiveRule(
            name: "helm-rollback", reason: "`helm rollback` replaces the running release",
            test: .command(tools: ["helm"], words: ["rollback"])),
        DestructiveRule(
            name: "helm-uninstall", reason: "`helm uninstall` removes the release",
            test: .command(tools: ["helm"], words: ["uninstall", "delete"])),
        DestructiveRule(
            name: "terraform-destroy", reason: "`terraform destroy` removes infrastructure",
            test: .command(tools: ["terraform"], words: ["destroy", "-destroy"])),
        DestructiveRule(
            name: "terraform-apply", reason: "`terraform apply` changes infrastructure",
            test: .command(tools: ["terraform"], words: ["apply"]) {
                !$0.contains("destroy") && !$0.contains("-destroy")
            }),
        DestructiveRule(
            name: "aws-delete", reason: "`aws … delete-*` / `terminate-*` removes cloud resources",
            test: .command(tools: ["aws"], words: ["delete-*", "terminate-*"])),
        DestructiveRule(
            name: "gcloud-delete", reason: "`gcloud … delete` removes cloud resources",
            test: .command(tools: ["gcloud"], words: ["delete"])),
        DestructiveRule(
            name: "rm-recursive", reason: "`rm -r` removes directory trees",
            test: .command(tools: ["rm"], words: []) { words in
                words.prefix { $0 != "--" }.contains { word in
                    word == "--recursive"
                        || (word.hasPrefix("-") && !word.hasPrefix("--") && word.contains { $0 == "r" || $0 == "R" })
                }
            }),
        DestructiveRule(
            name: "sql-drop", reason: "SQL `DROP` deletes data",
            test: .sql(
                keyword: "DROP",
                objects: [
                    "TABLE", "DATABASE", "SCHEMA", "INDEX", "VIEW", "USER", "ROLE", "COLUMN", "SEQUENCE", "FUNCTION",
                ])),
        DestructiveRule(
            name: "sql-truncate", reason: "SQL `TRUNCATE` deletes data", test: .sql(keyword: "TRUNCATE", objects: nil)),
        DestructiveRule(
            name: "sql-delete", reason: "SQL `DELETE FROM` deletes rows",
            test: .sql(keyword: "DELETE", objects: ["FROM"])
        ),
    ]

    /// A rule for `kubectl` and `oc` alike, named `kubectl-NAME`.
    private static func kubernetes(
        _ name: String, _ reason: String, words: [String],
        _ condition: (@Sendable (ArraySlice<String>) -> Bool)? = nil
    ) -> DestructiveRule {
        DestructiveRule(
            name: "kubectl-" + name, reason: reason,
            test: .command(tools: ["kubectl", "oc"], words: words, condition: condition))
    }
}
