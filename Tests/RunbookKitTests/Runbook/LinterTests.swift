import Foundation
import RunbookKit
import Testing

@Suite struct LinterTests {
    func lint(_ text: String) throws -> [String] {
        let parsed = try RunbookParser.parseWithDiagnostics(data: Data(text.utf8), path: "x.md")
        return (parsed.diagnostics + Linter().check(parsed.runbook)).map {
            "\($0.location.line):\($0.location.column) \($0.message)"
        }
    }

    @Test func scriptLocalCapturedOrdinaryAndDeclaredVariablesAreFine() throws {
        let found = try lint(
            """
            ---
            title: T
            variables:
              NAMESPACE: {default: "candlefish-${ENVIRONMENT}"}
            ---
            ## Find the pod

            ```bash {risk=read capture=POD}
            kubectl get pods -n "$NAMESPACE" -o name | head -1
            ```

            ## Use it

            ```bash {risk=read}
            for svc in website backend-api; do echo "$svc $POD $HOME $ENVIRONMENT"; done
            COUNT=3; echo "$COUNT" '$NOT_A_REFERENCE'
            ```
            """)
        #expect(found == [])
    }

    @Test func undeclaredVariableIsReportedOncePerStepAtItsColumn() throws {
        let found = try lint("# T\n\n```bash {risk=read}\necho $A $A\necho ${B}\n```\n")
        #expect(found == ["4:6 `$A` is not declared", "5:6 `$B` is not declared"])
    }

    @Test func aVariableExportedByAnEarlierStepIsDeclaredForTheStepsAfterIt() throws {
        let found = try lint(
            """
            # T

            ```bash {id=early risk=read}
            echo "$NS"
            ```

            ```bash {id=set risk=read}
            export NS=openshift-monitoring
            ```

            ```bash {id=later risk=read}
            kubectl get pods -n "$NS" "$OTHER"
            ```

            """)
        #expect(
            found == [
                "4:7 `$NS` is used before the step that sets it",
                "12:28 `$OTHER` is not declared",
            ])
    }

    @Test func duplicateIDsAndPlaceholders() throws {
        let found = try lint(
            "# T\n\n```bash {id=a risk=read}\nkubectl logs <pod-name>\n```\n\n```bash {id=a risk=read}\necho candlefish-{environment}\n```\n"
        )
        #expect(
            found == [
                "4:14 placeholder `<pod-name>` left in the command: the shell reads `<` as a redirection",
                "7:1 duplicate step id `a` (first used at line 3)",
                "8:17 placeholder `{environment}` left in the command: the shell passes it as written",
            ])
    }

    @Test func heredocsRedirectsAndAwkAreNotPlaceholders() throws {
        let found = try lint(
            "# T\n\n```bash {risk=read}\ncat <<EOF >out\nx\nEOF\nawk '{print}' file 2>&1\nkubectl get pods -o jsonpath='{.items[*]}'\n```\n"
        )
        #expect(found == [])
    }

    @Test func headingLinksInTheSameRunbookResolve() throws {
        let found = try lint("# T\n\n## Check Pods\n\n- [Again](#check-pods)\n- [Missing](#nope)\n")
        #expect(found == ["6:1 link to missing heading `#nope`"])
    }

    @Test func onFailMayNameAStepOrAHeading() throws {
        let found = try lint(
            "# T\n\n## Recover\n\n```bash {id=fix risk=read}\ntrue\n```\n\n```bash {risk=read on-fail=fix}\nfalse\n```\n\n```bash {risk=read on-fail=#recover}\nfalse\n```\n"
        )
        #expect(found == [])
    }
}
