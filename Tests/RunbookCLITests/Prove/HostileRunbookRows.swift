import Foundation

/// Rows of the bad-input table for hostile runbooks (issue #15): targets that do not parse, nesting deeper than the
/// parser walks, a YAML alias bomb, and files that are not regular files. Before the limits each of these crashed
/// (`Index out of range`, SIGSEGV) or hung; every run here is killed and fails loudly past its `timeout`.
extension BadInputRow {
    /// A runbook whose one step fails and names `target` as its `on-fail`.
    static func failing(onFail target: String) -> String {
        runbook("id=a risk=read on-fail=\(target)", "false")
    }

    static let hostile: [BadInputRow] = [
        BadInputRow(
            name: "on-fail with an empty anchor",
            files: ["b.md": healthy, "bad.md": failing(onFail: "b.md#")], arguments: ["lint", "FILE:bad.md"],
            status: 1, message: "bad.md:7:25: error: on-fail target `b.md#` has nothing after `#`"),
        BadInputRow(
            name: "on-fail with an empty anchor at start",
            files: ["b.md": healthy, "bad.md": failing(onFail: "b.md#")],
            arguments: ["start", "bad", "--env", "staging", "--runbooks", "RUNBOOKS", "--db", "DB"],
            stdin: "y\no\nq\n", status: 2, message: "on-fail target `b.md#` has nothing after `#`"),
        BadInputRow(
            name: "goto with an empty anchor",
            files: ["b.md": healthy, "probe.md": healthy],
            arguments: ["start", "probe", "--env", "staging", "--runbooks", "RUNBOOKS", "--db", "DB"],
            stdin: "goto b.md#\nq\n", status: 0, message: "error: target `b.md#` has nothing after `#`"),
        BadInputRow(
            name: "choice link with an empty anchor",
            files: ["b.md": healthy, "bad.md": "# Bad\n\n## Where next?\n\n- [B](b.md#)\n- [Top](b.md)\n"],
            arguments: ["lint", "FILE:bad.md"], status: 1,
            message: "bad.md:5:1: error: link target `b.md#` has nothing after `#`"),
    ]
}
