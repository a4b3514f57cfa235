import Foundation

/// Rows of the bad-input table for hostile runbooks (issue #15): targets that do not parse, nesting deeper than the
/// parser walks, a YAML alias bomb, and files that are not regular files. Before the limits each of these crashed
/// (`Index out of range`, SIGSEGV) or hung; every run here is killed and fails loudly past its `timeout`.
extension BadInputRow {
    /// A runbook whose one step fails and names `target` as its `on-fail`.
    static func failing(onFail target: String) -> String {
        runbook("id=a risk=read on-fail=\(target)", "false")
    }

    /// 504 bytes of nested YAML aliases: nine levels of nine, 387 million nodes once expanded.
    static let aliasBomb: String = {
        var yaml = "---\ntitle: Bomb\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
        for (previous, name) in zip(names, names.dropFirst()) {
            yaml += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]\n"
        }
        return yaml + "---\n# Bomb\n"
    }()

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
        BadInputRow(
            name: "100 KB of nested block quotes",
            files: ["deep.md": "# Deep\n\n" + String(repeating: ">", count: 100_000) + " x\n", "probe.md": healthy],
            arguments: ["lint", "RUNBOOKS"], status: 1,
            message: "deep.md:3:1: error: Markdown nests deeper than 64 levels"),
        BadInputRow(
            name: "3,000 nested list levels",
            files: ["deep.md": "# Deep\n\n" + String(repeating: "- ", count: 3_000) + "x\n", "probe.md": healthy],
            arguments: ["list", "--runbooks", "RUNBOOKS"], status: 2,
            message: "Markdown nests deeper than 64 levels"),
        BadInputRow(
            name: "YAML alias bomb in front matter",
            files: ["bomb.md": aliasBomb], arguments: ["lint", "FILE:bomb.md"], status: 1,
            message: "bomb.md:4:8: error: front matter may not use YAML aliases", timeout: 30),
        BadInputRow(
            name: "front matter over 64 KiB",
            files: [
                "big.md": "---\ntitle: Big\nnote: \"" + String(repeating: "x", count: 70_000) + "\"\n---\n# Big\n"
            ],
            arguments: ["lint", "FILE:big.md"], status: 1,
            message: "big.md:2:1: error: front matter is 70020 bytes; the limit is 64 KiB"),
        BadInputRow(
            name: "FIFO in the runbooks directory: list",
            files: ["probe.md": healthy], fifos: ["stuck.md"], arguments: ["list", "--runbooks", "RUNBOOKS"],
            status: 0, message: "warning: RUNBOOKS/stuck.md is a FIFO, not a regular file: skipped"),
        BadInputRow(
            name: "FIFO in the runbooks directory: lint",
            files: ["probe.md": healthy], fifos: ["stuck.md"], arguments: ["lint", "RUNBOOKS"], status: 0,
            message: "RUNBOOKS/stuck.md:1:1: warning: RUNBOOKS/stuck.md is a FIFO, not a regular file: skipped"),
        BadInputRow(
            name: "FIFO in the runbooks directory: start",
            files: ["probe.md": healthy, "escalation.md": "# Escalation\n"], fifos: ["stuck.md"],
            arguments: ["start", "probe", "--env", "staging", "--runbooks", "RUNBOOKS", "--db", "DB"], stdin: "q\n",
            status: 0, message: "warning: RUNBOOKS/stuck.md is a FIFO, not a regular file: skipped"),
        BadInputRow(
            name: "FIFO started by name",
            files: ["probe.md": healthy], fifos: ["stuck.md"],
            arguments: ["start", "stuck", "--env", "staging", "--runbooks", "RUNBOOKS", "--db", "DB"], status: 2,
            message: "RUNBOOKS/stuck.md is a FIFO, not a regular file"),
    ]
}
