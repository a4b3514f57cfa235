import Foundation
import Testing

@testable import RunbookKit

/// `runbook import`'s conversions, one by one, and the cases where converting would change what runs.
@Suite struct RunbookImporterTests {
    let importer = RunbookImporter()

    func convert(_ text: String) -> (text: String, summary: RunbookImporter.Summary) {
        importer.convert(text, path: "x.md")
    }

    @Test func promptedBlockBecomesCommandsFollowedBySampleOutput() {
        let (text, summary) = convert(
            "# X\n\n## Look\n\n```bash\n$ kubectl get nodes\nNAME STATUS\nn1   Ready\n```\n\nAfter.\n")
        #expect(
            text
                == "# X\n\n## Look\n\n```bash {id=look risk=read}\nkubectl get nodes\n```\n\nSample output:\n\n```text\nNAME STATUS\nn1   Ready\n```\n\nAfter.\n"
        )
        #expect(summary.promptsStripped == 1)
        #expect(summary.sampleOutputsMarked == 1)
        #expect(summary.description == "1 prompt stripped, 1 sample output marked, 1 id, 1 risk=read")
    }

    @Test func consoleBlockBecomesBash() {
        let (text, _) = convert("# X\n\n```console\n$ echo hi\nhi\n```\n")
        #expect(text == "# X\n\n```bash {id=x risk=read}\necho hi\n```\n\nSample output:\n\n```text\nhi\n```\n")
    }

    @Test func sampleOutputHoldingAFenceKeepsTheBlocksOwnFence() {
        let (text, _) = convert("# X\n\n~~~bash\n$ cat notes.md\n```\ncode\n```\n~~~\n")
        #expect(text.hasSuffix("Sample output:\n\n~~~text\n```\ncode\n```\n~~~\n"))
    }

    @Test func blockWithPromptsOnLaterLinesOnlyIsLeftForAHuman() {
        let original = "# X\n\n```bash\necho one\n$ echo two\n```\n"
        let (text, summary) = convert(original)
        #expect(text == "# X\n\n```bash {id=x risk=read}\necho one\n$ echo two\n```\n" || text == original)
        #expect(summary.promptsStripped == 0)
        #expect(summary.needsHuman.map(\.line) == [3])
    }

    @Test func placeholdersBecomeQuotedVariablesDeclaredInNewFrontMatter() {
        let (text, summary) = convert(
            "# X\n\n```bash\nkubectl logs <pod-name> -n \"<namespace>\" -l \"app=<app>_x\"\n```\n")
        #expect(
            text == """
                ---
                variables:
                  POD_NAME: {prompt: "pod name"}
                  NAMESPACE: {prompt: "namespace"}
                  APP: {prompt: "app"}
                ---
                # X

                ```bash {id=x risk=read}
                kubectl logs "$POD_NAME" -n "$NAMESPACE" -l "app=${APP}_x"
                ```

                """)
        #expect(summary.placeholdersReplaced == 3)
        #expect(summary.variables == ["POD_NAME", "NAMESPACE", "APP"])
    }

    @Test func samePlaceholderInSeveralBlocksIsOneVariable() {
        let (text, summary) = convert("# X\n\n```bash\necho <ns>\n```\n\n```bash\necho \"<ns>\"\n```\n")
        #expect(text.components(separatedBy: "NS: {prompt").count == 2)
        #expect(summary.placeholdersReplaced == 2)
        #expect(summary.variables == ["NS"])
    }

    @Test func placeholderInsideSingleQuotesIsLeftAndReported() {
        let (text, summary) = convert(
            "# X\n\n```bash\nkubectl get pod -o jsonpath='{.items[?(@.name==\"<pod>\")]}'\n```\n")
        #expect(text.contains("\"<pod>\""))
        #expect(summary.placeholdersReplaced == 0)
        #expect(summary.needsHuman.map(\.message) == ["placeholder `<pod>` inside single quotes"])
        #expect(summary.needsHuman.map(\.line) == [4])
    }

    @Test func placeholderInACommandSubstitutionInsideDoubleQuotesIsQuotedThere() {
        let (text, _) = convert(
            "# X\n\n```bash\necho \"pods: $(kubectl get pod <pod> -o name) on <node>\" '$(<kept>)'\n```\n")
        #expect(text.contains("echo \"pods: $(kubectl get pod \"$POD\" -o name) on $NODE\" '$(<kept>)'\n"))
    }

    @Test func anApostropheInACommentQuotesNothing() {
        let (text, summary) = convert("# X\n\n```bash\n# the node's CPU\noc top node <node-name>\n```\n")
        #expect(text.contains("oc top node \"$NODE_NAME\"\n"))
        #expect(summary.needsHuman.isEmpty)
    }

    @Test func aBlockThatWouldReadDifferentlyConvertedIsLeftAsWritten() {
        // Stripped once, `$ $ echo x` leaves `$ echo x`, which would itself read as a prompt.
        let original = "# X\n\n```bash\n$ $ echo x\nx\n```\n"
        let (text, summary) = convert(original)
        #expect(text == original)
        #expect(summary.needsHuman.map(\.message) == ["converting this block would change it: left as written"])
        #expect(!summary.changedAnything)
    }

    @Test func placeholderNamingAShellVariableIsLeft() {
        let (text, summary) = convert("# X\n\n```bash\nls <path>\n```\n")
        #expect(text.contains("ls <path>"))
        #expect(summary.needsHuman.count == 1)
    }

    @Test func placeholderInAHereDocumentIsLeft() {
        let (text, summary) = convert("# X\n\n```bash\ncat <<EOF\nname: <name>\nEOF\n```\n")
        #expect(text.contains("name: <name>"))
        #expect(summary.needsHuman.first?.message == "placeholder `<name>` in a block with a here-document")
    }

    @Test func existingVariablesBlockIsExtendedAndTheRestKeptByteForByte() {
        let original = """
            ---
            title: T   # a comment
            variables:
                NS:
                    prompt: "Namespace?"
            owner: me
            ---
            # T

            ```bash {id=a}
            kubectl get pods -n "$NS" -l app=<app>
            ```

            """
        let (text, _) = convert(original)
        #expect(
            text == """
                ---
                title: T   # a comment
                variables:
                    NS:
                        prompt: "Namespace?"
                    APP: {prompt: "app"}
                owner: me
                ---
                # T

                ```bash {id=a risk=read}
                kubectl get pods -n "$NS" -l app="$APP"
                ```

                """)
    }

    @Test func inlineVariablesCannotBeExtendedSoPlaceholdersStay() {
        let (text, summary) = convert(
            "---\nvariables: {NS: {prompt: x}}\n---\n# T\n\n```bash {id=a}\necho <app>\n```\n")
        #expect(text.contains("echo <app>"))
        #expect(summary.needsHuman.contains { $0.message.contains("front matter cannot be extended") })
    }

    @Test func idsComeFromHeadingsExistingIdsStayAndDestructiveStepsAreMarked() {
        let (text, summary) = convert(
            "# T\n\n## Check Pods\n\n```bash\nkubectl delete pod x\n```\n\n```bash\nkubectl delete pod y\n```\n\n```bash {id=mine}\nrm -rf /tmp/x\n```\n\n```sh {name=named}\nsystemctl restart x\n```\n"
        )
        #expect(text.contains("```bash {id=check-pods risk=destructive}\nkubectl delete pod x"))
        #expect(text.contains("```bash {id=check-pods-2 risk=destructive}\nkubectl delete pod y"))
        #expect(text.contains("```bash {id=mine risk=destructive}\n"))
        #expect(text.contains("```sh {name=named}\n"))
        #expect(summary.ids == 2)
        #expect(summary.destructive == 3)
        #expect(summary.readOnly == 0)
    }

    @Test func runmeJSONAttributesGetJSONKeys() {
        let (text, _) = convert("# T\n\n```sh {\"interactive\":\"false\"}\nhelm list -A\n```\n")
        #expect(text.contains("```sh {\"interactive\":\"false\",\"id\":\"t\",\"risk\":\"read\"}\n"))
    }

    @Test func variablesNothingSetsAreDeclaredAndThoseAStepSetsAreNot() {
        let (text, summary) = convert(
            "# T\n\n```bash\nexport NS=x\n```\n\n```bash\nkubectl get pods -n \"$NS\" -l app=$APP_NAME --kubeconfig $HOME/k\n```\n"
        )
        #expect(text.hasPrefix("---\nvariables:\n  APP_NAME: {prompt: \"app name\"}\n---\n# T\n"))
        #expect(summary.undeclaredDeclared == 1)
        #expect(summary.description.contains("1 undeclared variable declared (APP_NAME)"))
    }

    @Test func consoleBlockWithoutPromptsBecomesText() {
        let (text, summary) = convert("# T\n\n```console\nNAME STATUS\nn1 Ready\n```\n")
        #expect(text == "# T\n\n```text\nNAME STATUS\nn1 Ready\n```\n")
        #expect(summary.sampleOutputsMarked == 1)
    }

    @Test func consoleBlockOfCommandsWithoutPromptsBecomesBashUnchanged() {
        let (text, _) = convert("# T\n\n```console\noc get pods -n x\n```\n")
        #expect(text == "# T\n\n```bash {id=t risk=read}\noc get pods -n x\n```\n")
    }

    @Test func existingRiskIsNeverChanged() {
        let (text, summary) = convert("# T\n\n```bash {risk=change}\nkubectl get pods\n```\n")
        #expect(text.contains("```bash {risk=change id=t}\n"))
        #expect(summary.readOnly == 0)
    }

    @Test(arguments: [
        "kubectl get pods -n x | grep Crash", "oc -n x logs pod/a --previous", "kubectl auth can-i get pods",
        "helm status app", "curl -s https://x/api | jq '.items[]'", "kubectl logs $(kubectl get pod -o name | head -1)",
        "cat /etc/hosts 2>/dev/null", "NS=x kubectl get pods -n \"$NS\"", "kubectl get pods -o jsonpath={.items}",
    ])
    func readOnlyCommands(command: String) {
        #expect(ReadOnlyCommands.isReadOnly(command))
    }

    @Test(arguments: [
        "kubectl get pods > pods.txt", "kubectl delete pod x", "curl -X POST https://x", "curl -d a=b https://x",
        "curl -o out https://x", "kubectl logs $(kubectl delete pod x)", "echo `rm x`", "(cd /tmp && ls)",
        "for p in a b; do echo $p; done", "cat <<EOF\nx\nEOF", "kubectl exec -it x -- sh", "tee x < y",
        "kubectl get pods >> log", "oc project x", "date -s now", "sort -o x y", "",
    ])
    func commandsThatMayWriteAreNotReadOnly(command: String) {
        #expect(!ReadOnlyCommands.isReadOnly(command))
    }

    @Test func exportOfASubstitutionIsLeftAsWrittenAndCounted() {
        let (text, summary) = convert("# T\n\n```bash {id=n}\nexport NODE=$(kubectl get pod x -o name)\n```\n")
        #expect(text.contains("export NODE=$(kubectl get pod x -o name)\n"))
        #expect(summary.exportsLeft == 1)
        #expect(RunbookImporter.exportedSubstitution("export NODE=$(a) && b") == nil)
        #expect(RunbookImporter.exportedSubstitution("export NODE=$(a (b))")?.command == "a (b)")
    }

    @Test func crlfFileStaysCRLF() {
        let original = "# T\r\n\r\n```bash\r\n$ kubectl get nodes\r\nn1 Ready\r\n```\r\n\r\nEnd.\r\n"
        let (text, _) = convert(original)
        #expect(
            text
                == "# T\r\n\r\n```bash {id=t risk=read}\r\nkubectl get nodes\r\n```\r\n\r\nSample output:\r\n\r\n```text\r\nn1 Ready\r\n```\r\n\r\nEnd.\r\n"
        )
    }

    @Test func fileWithoutFinalNewlineKeepsIt() {
        let (text, _) = convert("# T\n\n```bash\n$ ls\nx\n```")
        #expect(text == "# T\n\n```bash {id=t risk=read}\nls\n```\n\nSample output:\n\n```text\nx\n```")
    }

    @Test func blockInAListKeepsItsIndentation() {
        let (text, _) = convert("# T\n\n1. Look:\n\n   ```bash\n   $ kubectl get pods\n   web-0 Running\n   ```\n")
        #expect(
            text
                == "# T\n\n1. Look:\n\n   ```bash {id=t risk=read}\n   kubectl get pods\n   ```\n\n   Sample output:\n\n   ```text\n   web-0 Running\n   ```\n"
        )
    }

    @Test func convertingTwiceChangesNothing() throws {
        let directory = "Tests/RunbookCLITests/Fixtures/import"
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) where name.hasSuffix(".md") {
            let original = try String(contentsOfFile: "\(directory)/\(name)", encoding: .utf8)
            let once = importer.convert(original, path: name).text
            #expect(once != original, "\(name) has something to convert")
            let twice = importer.convert(once, path: name)
            #expect(twice.text == once, "\(name)")
            #expect(!twice.summary.changedAnything, "\(name): \(twice.summary)")
        }
    }

    @Test func convertedCommandsRunWhatTheOriginalsRan() throws {
        let directory = "Tests/RunbookCLITests/Fixtures/import"
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) where name.hasSuffix(".md") {
            let original = try String(contentsOfFile: "\(directory)/\(name)", encoding: .utf8)
            let converted = importer.convert(original, path: name).text
            let before = RunbookParser.parseWithDiagnostics(text: original, path: name).runbook.steps
            let after = RunbookParser.parseWithDiagnostics(text: converted, path: name).runbook.steps
            #expect(before.map(\.id) == after.map(\.id))
            for (old, new) in zip(before, after) {
                // Only placeholders differ: `<pod-name>` became a variable.
                func normalized(_ command: String) -> String {
                    command.replacingOccurrences(of: #""?<([a-z-]+)>"?"#, with: "V", options: .regularExpression)
                        .replacingOccurrences(of: #""?\$\{?[A-Z_]+\}?"?"#, with: "V", options: .regularExpression)
                }
                #expect(normalized(old.command) == normalized(new.command), "\(name): \(old.id)")
            }
        }
    }
}
