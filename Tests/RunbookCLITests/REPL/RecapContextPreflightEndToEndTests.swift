import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// Issue #20 at a real terminal: the recap `resume` opens with after a handoff, the context line of a Kubernetes
/// step (a fake `kubectl` on PATH stands in for the real one), preflight of missing programs, and `resolve` in
/// production. The built binary runs in tmux; waits have deadlines and throw with the screen.
@Suite(.serialized) struct RecapContextPreflightEndToEndTests {
    static let runbook = """
        ---
        title: Down
        environments: [staging, production]
        requires: [aws]
        variables:
          NAMESPACE: {default: ns-from-var}
        ---
        # Down

        ## List pods

        ```bash {id=list-pods risk=read}
        kubectl get pods -n "$NAMESPACE"
        ```

        ## List nodes

        ```bash {id=list-nodes risk=read}
        kubectl get nodes
        ```

        ## Say hello

        ```bash {id=hello risk=read}
        echo hello-from-step
        ```

        ## History

        ```bash {id=history risk=read}
        helm history web
        ```
        """

    /// A scratch runbooks directory holding `down.md`, and a `bin/` directory for the commands' PATH holding only
    /// what `sh`, `sleep` and the steps need (so this machine's own `kubectl` is never found).
    final class Scratch {
        let scratch: ScratchRunbooks
        let bin: URL

        init() throws {
            scratch = try ScratchRunbooks("recap-e2e")
            try RecapContextPreflightEndToEndTests.runbook.write(
                to: scratch.runbooks.appendingPathComponent("down.md"), atomically: true, encoding: .utf8)
            bin = scratch.directory.appendingPathComponent("bin")
            try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
            for tool in ["sh", "bash", "sleep", "cat"] {
                let found = ["/usr/bin/", "/bin/"].map { $0 + tool }.first {
                    FileManager.default.fileExists(atPath: $0)
                }
                try FileManager.default.createSymbolicLink(
                    atPath: bin.appendingPathComponent(tool).path, withDestinationPath: try #require(found))
            }
        }

        /// Puts a fake `kubectl` in `bin/`: it logs each call and answers `config` questions as a kubeconfig with
        /// context `kind-fake` and namespace `fake-ns` would.
        func addFakeKubectl() throws -> URL {
            let log = scratch.directory.appendingPathComponent("kubectl.log")
            let script = bin.appendingPathComponent("kubectl")
            try """
            #!/bin/sh
            echo "$*" >> \(TmuxSession.quote(log.path))
            case "$*" in
              "config current-context") echo kind-fake ;;
              "config view --minify -o jsonpath={..namespace}") echo fake-ns ;;
              *) echo "fake kubectl $*" ;;
            esac
            """.write(to: script, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
            return log
        }

        func terminal(_ arguments: [String], user: String = "bob") throws -> TmuxSession {
            let command =
                ([BuiltBinary.path] + arguments + ["--runbooks", scratch.runbooks.path, "--db", scratch.database])
                .map(TmuxSession.quote).joined(separator: " ")
            return try TmuxSession(
                command, width: 160, height: 50, directory: scratch.directory.path,
                environment: [
                    "PATH": bin.path, "USER": user, "LANG": "C.UTF-8", "TERM": "screen",
                    "RUNBOOK_HISTORY": scratch.directory.appendingPathComponent("history").path,
                    "KUBECONFIG": "/nonexistent/kubeconfig",
                ])
        }

        deinit { try? FileManager.default.removeItem(at: scratch.directory) }
    }

    /// Waits for `pattern` (a regular expression, `^`/`$` at line ends) on `terminal`'s screen; returns the screen.
    @discardableResult
    static func waitFor(_ terminal: TmuxSession, regex pattern: String) throws -> String {
        let regex = try NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines])
        return try terminal.waitFor("/\(pattern)/", timeout: 20) { screen in
            regex.firstMatch(in: screen, range: NSRange(screen.startIndex..., in: screen)) != nil
        }
    }

    /// Takes NAMESPACE's default at its question, then waits for the step prompt; returns the screen.
    @discardableResult
    static func acceptNamespace(_ terminal: TmuxSession, environment: String = "staging") throws -> String {
        try terminal.waitFor("(default: ns-from-var):")
        try terminal.send("Enter")
        return try waitFor(terminal, regex: #"#1 P2 "# + environment + #" \d\d:\d\d ›$"#)
    }

    @Test func resumeAfterAHandoffOpensWithARecapBeforeTheFirstPrompt() throws {
        let scratch = try Scratch()
        _ = try scratch.addFakeKubectl()
        let first = try scratch.terminal(["start", "down", "--env", "staging"])
        try Self.acceptNamespace(first)
        try first.send("y", "Enter")
        try first.waitFor("[2/4] List nodes")
        try first.send("note pods listed, web-2 crash-loops", literal: true)
        try first.send("Enter")
        try first.send("handoff alice", literal: true)
        try first.send("Enter")
        try first.waitFor("handoff note (what is going on, what to do next)")
        try first.send("API down since 2.5.0; roll back next", literal: true)
        try first.send("Enter")
        try first.waitFor("[exited 0]")
        first.kill()

        let second = try scratch.terminal(["resume", "1"], user: "alice")
        let screen = try Self.waitFor(second, regex: #"#1 P2 staging \d\d:\d\d ›$"#)
        let lines = screen.split(separator: "\n").map(String.init)
        let recap = try #require(lines.firstIndex { $0.hasPrefix("recap") }, "\(screen)")
        let heading = try #require(lines.firstIndex { $0.hasPrefix("[2/4] List nodes") }, "\(screen)")
        #expect(recap < heading, "\(screen)")
        #expect(screen.contains("handed over by bob@"), "\(screen)")
        #expect(screen.contains("(handoff to alice)"), "\(screen)")
        #expect(screen.contains("  last driven by bob@"), "\(screen)")
        #expect(screen.contains("to alice just now"), "\(screen)")
        #expect(screen.contains("handoff note: API down since 2.5.0; roll back next"), "\(screen)")
        #expect(screen.contains("P2 · NOT acknowledged · not mitigated · declared just now"), "\(screen)")
        #expect(screen.contains("just now: pods listed, web-2 crash-loops"), "\(screen)")
        #expect(screen.contains("last command: $ kubectl get pods -n \"$NAMESPACE\" → ✓ exit 0"), "\(screen)")
        #expect(screen.contains("current step: List nodes (down 2/4, list-nodes)"), "\(screen)")
        let handoff = try #require(
            try SQLiteTranscriptStore(path: scratch.scratch.database).events(incidentID: 1).last { $0.type == .handoff }
        )
        #expect(handoff.payload["note"] == "API down since 2.5.0; roll back next")
    }

    @Test func aKubernetesStepShowsTheContextAndNamespaceReadOnceWithKubectl() throws {
        let scratch = try Scratch()
        let log = try scratch.addFakeKubectl()
        let terminal = try scratch.terminal(["start", "down", "--env", "staging"])
        var screen = try terminal.waitFor("(default: ns-from-var):")
        // The namespace the command names (`-n "$NAMESPACE"`): as written until the variable is given, then its value.
        #expect(screen.contains("› runs in staging · kube context kind-fake · namespace $NAMESPACE"), "\(screen)")
        screen = try Self.acceptNamespace(terminal)
        #expect(screen.contains("› runs in staging · kube context kind-fake · namespace ns-from-var"), "\(screen)")
        try terminal.send("y", "Enter")
        // Without `-n`, the kubeconfig's namespace.
        screen = try terminal.waitFor("namespace fake-ns")
        #expect(screen.contains("› runs in staging · kube context kind-fake · namespace fake-ns"), "\(screen)")
        try terminal.send("y", "Enter")
        screen = try terminal.waitFor("[3/4] Say hello")
        // A step that calls no Kubernetes tool names the environment only.
        #expect(screen.contains("› runs in staging\n"), "\(screen)")
        try terminal.send("q", "Enter")
        try terminal.waitFor("[exited 0]")
        let calls = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
        // Read once per session, however many Kubernetes steps were shown.
        #expect(calls.filter { $0 == "config current-context" }.count == 1, "\(calls)")
    }

    @Test func preflightListsMissingProgramsOnceAndTheContextLineSaysThereIsNoKubectlOnce() throws {
        let scratch = try Scratch()
        let terminal = try scratch.terminal(["start", "down", "--env", "staging"])
        let screen = try Self.acceptNamespace(terminal)
        #expect(screen.contains("not on PATH, needed by down:"), "\(screen)")
        #expect(screen.contains("  kubectl: list-pods, list-nodes\n"), "\(screen)")
        #expect(screen.contains("  helm: history\n"), "\(screen)")
        #expect(screen.contains("  aws: requires:\n"), "\(screen)")
        #expect(screen.contains("no kube context: kubectl is not on PATH"), "\(screen)")
        try terminal.send("s", "Enter")
        let next = try terminal.waitFor("[2/4] List nodes")
        // Said once: the next Kubernetes step says only that there is no context.
        #expect(next.components(separatedBy: "kubectl is not on PATH").count == 2, "\(next)")
        #expect(next.contains("› runs in staging · no kube context\n"), "\(next)")
        #expect(next.components(separatedBy: "not on PATH, needed by").count == 2, "\(next)")
    }

    @Test func scriptedResolveInProductionWithoutASummaryIsRefusedWithExitTwo() throws {
        let scratch = try Scratch()
        let arguments = [
            "start", "down", "--env", "production", "--runbooks", scratch.scratch.runbooks.path, "--db",
            scratch.scratch.database,
        ]
        let refused = try BuiltBinary.run(arguments, stdin: "resolve\n")
        #expect(refused.status == 2, "\(refused.stdout)\n\(refused.stderr)")
        #expect(
            refused.stderr.contains("resolve needs a summary in production: incident #1 stays open"),
            "\(refused.stderr)")
        #expect(refused.stderr.contains("`resolve rolled back 2.5.0`"), "\(refused.stderr)")
        let store = try SQLiteTranscriptStore(path: scratch.scratch.database)
        #expect(try store.incident(1)?.status == .open)
        let resolved = try BuiltBinary.run(["resume", "1"] + arguments.dropFirst(4), stdin: "resolve rolled back\n")
        #expect(resolved.status == 0, "\(resolved.stdout)\n\(resolved.stderr)")
        #expect(try store.incident(1)?.status == .resolved)
        // Staging needs no summary.
        var staging = arguments
        staging[3] = "staging"
        #expect(try BuiltBinary.run(staging, stdin: "resolve\n").status == 0)
    }
}
