import Foundation
import RunbookKit
import Testing

/// Shell blocks written as terminal sessions (`$ ` prompts with sample output), as plain-Markdown runbooks do.
@Suite struct PromptedBlockTests {
    func parsed(_ body: String) throws -> (runbook: Runbook, diagnostics: [Diagnostic]) {
        try RunbookParser.parseWithDiagnostics(data: Data(body.utf8), path: "alerts/x.md")
    }

    func step(_ body: String) throws -> Step {
        try #require(try parsed(body).runbook.steps.first)
    }

    @Test func bashBlockWithPromptsRunsTheCommandsAndShowsTheOutput() throws {
        let (runbook, diagnostics) = try parsed(
            "# T\n\n```bash\n$ oc get nodes\nNAME STATUS\nnode-1 Ready\n$ oc get pods -n openshift-monitoring\n```\n")
        let step = try #require(runbook.steps.first)
        #expect(step.command == "oc get nodes\noc get pods -n openshift-monitoring")
        #expect(step.expectedOutput == "NAME STATUS\nnode-1 Ready")
        #expect(step.hasPrompts)
        #expect(
            diagnostics.map { "\($0.location.line):\($0.location.column) \($0.severity.rawValue) \($0.message)" } == [
                "4:1 note prompt `$ ` stripped from 2 command lines; 2 lines of sample output (from line 5) are shown, not run"
            ])
    }

    @Test func everyShellLanguageIsReadThisWay() throws {
        for language in ["sh", "bash", "shell", "zsh"] {
            let step = try step("# T\n\n```\(language)\n$ echo hi\nhi\n```\n")
            #expect(step.command == "echo hi", "\(language)")
            #expect(step.expectedOutput == "hi", "\(language)")
        }
    }

    @Test func promptsWithoutOutputSayThereIsNone() throws {
        let (runbook, diagnostics) = try parsed("# T\n\n```sh\n$ echo one\n\n$ echo two\n```\n")
        #expect(runbook.steps.first?.command == "echo one\necho two")
        #expect(runbook.steps.first?.expectedOutput == nil)
        #expect(diagnostics.map(\.message) == ["prompt `$ ` stripped from 2 command lines; no lines of sample output"])
    }

    @Test func indentedPromptsAreFoundAndTheirIndentationIsNotPartOfTheCommand() throws {
        let step = try step(
            "# T\n\n```console\n    $ echo one \\\n        two\n    $ cat <<EOF\n    limit: 3\n    EOF\n    one two\n```\n"
        )
        #expect(step.command == "echo one \\\n    two\ncat <<EOF\nlimit: 3\nEOF")
        #expect(step.expectedOutput == "one two")
    }

    @Test func consoleBlockInsideAListItemFindsItsPrompts() throws {
        let step = try step("# T\n\n1. Cordon it:\n\n   ```console\n     $ echo cordoned\n     cordoned\n   ```\n")
        #expect(step.command == "echo cordoned")
        #expect(step.expectedOutput == "cordoned")
    }

    @Test func hereDocumentLinesBelongToTheirCommand() throws {
        let step = try step("# T\n\n```bash\n$ cat <<-'END'\n\tno prompt here\n\tEND\nno prompt here\n```\n")
        #expect(step.command == "cat <<-'END'\n\tno prompt here\n\tEND")
        #expect(step.expectedOutput == "no prompt here")
    }

    @Test func continuationLinesStayPartOfTheCommand() throws {
        let step = try step("# T\n\n```bash\n$ oc adm top \\\n> nodes\nNAME CPU\n```\n")
        #expect(step.command == "oc adm top \\\nnodes")
        #expect(step.expectedOutput == "NAME CPU")
    }

    @Test func aPromptAfterAnUnpromptedFirstLineIsStrippedAndEveryLineRuns() throws {
        let (runbook, diagnostics) = try parsed("# T\n\n```bash\nexport NS=openshift\n$ oc get pods -n $NS\n```\n")
        let step = try #require(runbook.steps.first)
        #expect(step.command == "export NS=openshift\noc get pods -n $NS")
        #expect(step.expectedOutput == nil)
        let warning = try #require(diagnostics.first)
        #expect(warning.severity == .warning)
        #expect(warning.location.line == 5)
        #expect(warning.message.contains("every line runs"))
    }

    @Test func aCommentAboveTheFirstPromptStillMakesItASession() throws {
        let (runbook, diagnostics) = try parsed(
            "# T\n\n```shell\n# NAMESPACE='<namespace label>'\n$ oc -n $NAMESPACE get pods\nNAME READY\n```\n")
        let step = try #require(runbook.steps.first)
        #expect(step.command == "oc -n $NAMESPACE get pods")
        #expect(step.expectedOutput == "# NAMESPACE='<namespace label>'\nNAME READY")
        #expect(diagnostics.map(\.severity) == [.note])
    }

    @Test func blocksWithoutPromptsAreUnchanged() throws {
        let (runbook, diagnostics) = try parsed("# T\n\n```bash\necho \"$ not a prompt\"\nprintf '$'\n```\n")
        #expect(runbook.steps.first?.command == "echo \"$ not a prompt\"\nprintf '$'")
        #expect(runbook.steps.first?.hasPrompts == false)
        #expect(diagnostics.isEmpty)
    }

    @Test func consoleBlocksGetNoNoteTheirPromptsAreTheirFormat() throws {
        let (_, diagnostics) = try parsed("# T\n\n```console\n$ echo hi\nhi\n```\n")
        #expect(diagnostics.isEmpty)
    }

    @Test func aConsoleBlockOfCommandsWithoutPromptsIsAStep() throws {
        let (runbook, diagnostics) = try parsed(
            "# T\n\n```console\n# which pods\n    oc get pods -n monitoring \\\n  -o wide\nNS=x kubectl get nodes\n```\n"
        )
        let step = try #require(runbook.steps.first)
        #expect(step.command == "# which pods\n    oc get pods -n monitoring \\\n  -o wide\nNS=x kubectl get nodes")
        #expect(step.expectedOutput == nil)
        #expect(
            diagnostics.map(\.message) == [
                "console block has no `$ ` prompts, but every line starts with a program (`oc`): read as commands"
            ])
        #expect(diagnostics.first?.severity == .note)
    }

    @Test func aConsoleBlockWithOneLineOfOutputOrOnlyCommentsIsNotAStep() throws {
        for body in [
            "oc get pods\nNAME READY STATUS", "sum(rate(x[5m]))", "# sudo systemctl status kubelet", "I1126 update.go",
        ] {
            let (runbook, diagnostics) = try parsed("# T\n\n```console\n\(body)\n```\n")
            #expect(runbook.steps.isEmpty, "\(body)")
            #expect(diagnostics.map(\.message) == ["console block has no `$ ` command lines, so it is not a step"])
        }
    }

    @Test func notesNeverFailLintNotEvenStrict() throws {
        let report = LintReport(
            diagnostics: [.note("n", at: SourceLocation(file: "x.md", line: 1))], unreadable: [], filesChecked: 1)
        #expect(report.strict().exitStatus == .success)
        #expect(report.strict().noteCount == 1)
    }
}
