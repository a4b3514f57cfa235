import Foundation
import RunbookKit
import Testing

@Suite struct RunbookParserTests {
    func parse(_ text: String, path: String = "runbooks/sample.md") throws -> Runbook {
        try RunbookParser.parse(data: Data(text.utf8), path: path)
    }

    func diagnostics(_ text: String, path: String = "runbooks/sample.md") throws -> [Diagnostic] {
        try RunbookParser.parseWithDiagnostics(data: Data(text.utf8), path: path).diagnostics
    }

    @Test func frontMatterFieldsAreRead() throws {
        let runbook = try parse(
            """
            ---
            title: Outage
            id: big-outage
            severity: p1
            environments: [production, staging]
            shell: zsh
            variables:
              NAMESPACE:
                prompt: Namespace
                default:
                  production: candlefish-prod
                  staging: candlefish-staging
              RELEASE: {default: "candlefish-${ENVIRONMENT}", pattern: "^[a-z-]+$"}
              DB_PASSWORD: {prompt: Password, secret: true}
              TIER: {choices: [web, api], default: web}
              SHORT: plain-default
            ---
            # Ignored title
            """)
        #expect(runbook.id == "big-outage")
        #expect(runbook.title == "Outage")
        #expect(runbook.severity == .p1)
        #expect(runbook.environments == ["production", "staging"])
        #expect(runbook.shell == "zsh")
        #expect(runbook.variables.map(\.name) == ["NAMESPACE", "RELEASE", "DB_PASSWORD", "TIER", "SHORT"])
        let namespace = try #require(runbook.variable(named: "NAMESPACE"))
        #expect(namespace.prompt == "Namespace")
        #expect(namespace.defaultValue == nil)
        #expect(namespace.defaultsByEnvironment == ["production": "candlefish-prod", "staging": "candlefish-staging"])
        #expect(namespace.defaultValue(in: "staging") == "candlefish-staging")
        #expect(namespace.location?.line == 8)
        #expect(runbook.variable(named: "RELEASE")?.defaultValue == "candlefish-${ENVIRONMENT}")
        #expect(runbook.variable(named: "RELEASE")?.pattern == "^[a-z-]+$")
        #expect(runbook.variable(named: "DB_PASSWORD")?.secret == true)
        #expect(runbook.variable(named: "TIER")?.choices == ["web", "api"])
        #expect(runbook.variable(named: "SHORT")?.defaultValue == "plain-default")
    }

    @Test func idDefaultsToTheFileNameAndTitleToTheFirstHeading() throws {
        let runbook = try parse("# Database Issues\n\ntext\n", path: "runbooks/database.md")
        #expect(runbook.id == "database")
        #expect(runbook.title == "Database Issues")
        #expect(runbook.shell == "bash")
    }

    @Test func frontMatterProblemsHaveFileLines() throws {
        let found = try diagnostics(
            """
            ---
            title: X
            severity: P7
            colour: blue
            variables:
              1BAD: {prompt: x}
              OK: {pattern: "(", secret: maybe}
            ---
            """)
        #expect(
            found.map { "\($0.location.line) \($0.severity.rawValue) \($0.message)" } == [
                "3 error severity `P7` is not P0, P1, P2 or P3",
                "4 warning unknown front matter key `colour`",
                "6 error variable name `1BAD` is not a shell variable name",
                "7 error pattern of `OK` is not a valid regular expression",
                "7 error `secret` must be true or false",
            ])
    }

    @Test func invalidYAMLIsAnErrorAtItsLine() throws {
        let found = try diagnostics("---\ntitle: X\nvariables: [a\n---\n# T\n")
        let first = try #require(found.first)
        #expect(first.severity == .error)
        #expect(first.message.hasPrefix("front matter is not valid YAML"))
        #expect(first.location.line >= 3)
        #expect(throws: RunbookParseError.self) { try parse("---\ntitle: X\nvariables: [a\n---\n# T\n") }
    }

    @Test func stepsCarryTitleGuidanceAttributesAndFileLine() throws {
        let runbook = try parse(
            """
            ---
            title: T
            ---
            # Outage

            ## Check service status

            Look at the pods first.

            ```bash {id=pods risk=read timeout=30s}
            kubectl get pods -n candlefish-prod
            ```

            ```yaml
            not: a step
            ```
            """)
        let step = try #require(runbook.steps.first)
        #expect(runbook.steps.count == 1)
        #expect(step.id == "pods")
        #expect(step.title == "Check service status")
        #expect(step.guidance == "Look at the pods first.")
        #expect(step.command == "kubectl get pods -n candlefish-prod")
        #expect(step.attributes.risk == .read)
        #expect(step.attributes.timeout == 30)
        #expect(step.location == SourceLocation(file: "runbooks/sample.md", line: 10, column: 1))
    }

    @Test func generatedIDsAreStableSlugsOfTheHeading() throws {
        let runbook = try parse(
            """
            ## Check service status

            ```sh
            a
            ```

            ```sh
            b
            ```

            ```sh {id=check-service-status-3}
            c
            ```

            ```sh
            d
            ```
            """)
        #expect(
            runbook.steps.map(\.id) == [
                "check-service-status", "check-service-status-2", "check-service-status-3", "check-service-status-4",
            ])
    }

    @Test func consoleBlocksSplitCommandsFromExpectedOutput() throws {
        let runbook = try parse(
            """
            ## Health

            ```console
            $ curl -f https://candlefish.ai/health
            {"status":"ok"}
            $ kubectl exec deploy/api -- \\
            >   python -c "print(1)"
            1
            ```
            """)
        let step = try #require(runbook.steps.first)
        #expect(step.language == "console")
        #expect(
            step.command
                == "curl -f https://candlefish.ai/health\nkubectl exec deploy/api -- \\\n  python -c \"print(1)\"")
        #expect(step.expectedOutput == "{\"status\":\"ok\"}\n1")
    }

    @Test func attributeErrorsPointAtTheAttribute() throws {
        let found = try diagnostics("# T\n\n  ```bash {id=x timeout=5x}\n  echo\n  ```\n")
        let first = try #require(found.first)
        #expect(first.location == SourceLocation(file: "runbooks/sample.md", line: 3, column: 17))
        #expect(first.message == "timeout `5x` is not a duration")
    }

    @Test func taskItemsAreManualSteps() throws {
        let runbook = try parse(
            """
            # Outage

            ## Communicate

            - [ ] Notify #incident-response
            - [x] Open a status page incident
            """)
        let manual = runbook.items.compactMap { item -> ManualStep? in
            if case .manual(let manual) = item { return manual } else { return nil }
        }
        #expect(manual.map(\.text) == ["Notify #incident-response", "Open a status page incident"])
        #expect(manual.map(\.checked) == [false, true])
        #expect(manual.map(\.id) == ["notify-incident-response", "open-a-status-page-incident"])
        #expect(manual.map(\.title) == ["Communicate", "Communicate"])
        #expect(manual.map(\.location.line) == [5, 6])
        #expect(runbook.lists.isEmpty)
    }

    @Test func listsOfLinksAreChoices() throws {
        let runbook = try parse(
            """
            # Triage

            ## What is happening?

            Pick the closest match.

            - [Complete outage](outage.md) — `Pending`, `CrashLoopBackOff` after a change
            - **[Database](database.md#check-connections)**: errors from the API
            - [Back to the top](#triage)
            """)
        guard case .choice(let choice) = try #require(runbook.items.first) else {
            Issue.record("expected a choice")
            return
        }
        #expect(choice.id == "what-is-happening")
        #expect(choice.prompt == "Pick the closest match.")
        #expect(choice.options.map(\.label) == ["Complete outage", "Database", "Back to the top"])
        #expect(
            choice.options.map(\.target) == [
                .runbook(id: "outage", anchor: nil), .runbook(id: "database", anchor: "check-connections"),
                .heading(anchor: "triage"),
            ])
        #expect(
            choice.options.map(\.detail) == ["Pending, CrashLoopBackOff after a change", "errors from the API", nil])
        #expect(choice.options.map(\.location.line) == [7, 8, 9])
    }

    @Test func listsWithTextOrExternalLinksStayLists() throws {
        let runbook = try parse(
            """
            - **Slack**: #ops-alerts
            - [Status](https://status.candlefish.ai)
            """)
        #expect(runbook.items.isEmpty)
        #expect(runbook.lists.map { $0.map(\.text) } == [["Slack: #ops-alerts", "Status"]])
    }

    @Test func tablesAreReadAsPlainTextWithRowLines() throws {
        let runbook = try parse(
            """
            # Escalation

            | Severity | Description | Response Time | Escalation |
            |----------|-------------|---------------|------------|
            | **P0** | Complete `outage` | 15 minutes | CTO + On-call |
            | P1 | Partial outage | 30 minutes | DevOps Lead |
            """)
        let table = try #require(runbook.tables.first)
        #expect(table.header == ["Severity", "Description", "Response Time", "Escalation"])
        #expect(
            table.rows.map(\.cells) == [
                ["P0", "Complete outage", "15 minutes", "CTO + On-call"],
                ["P1", "Partial outage", "30 minutes", "DevOps Lead"],
            ])
        #expect(table.rows.map(\.location.line) == [5, 6])
        #expect(table.location.line == 3)
    }

    @Test func sectionsHaveGitHubAnchors() throws {
        let runbook = try parse("# Runbook\n## Notes\n## Notes\n### Helm Rollback\n")
        #expect(runbook.sections.map(\.anchor) == ["runbook", "notes", "notes-1", "helm-rollback"])
        #expect(runbook.sections.map(\.level) == [1, 2, 2, 3])
        #expect(runbook.firstItemIndex(underAnchor: "notes") == nil)
    }

    @Test func codeBlocksInsideListItemsAreSteps() throws {
        let runbook = try parse(
            """
            ## Fix

            1. Scale up:

               ```bash
               kubectl scale deployment website --replicas=10
               ```
            """)
        #expect(runbook.steps.map(\.command) == ["kubectl scale deployment website --replicas=10"])
        #expect(runbook.steps.first?.guidance == "Scale up:")
        #expect(runbook.steps.first?.location.line == 5)
    }

    @Test(arguments: [
        ("runbooks/outage.md", "outage"), ("outage.md", "outage"), ("./a//outage.md", "outage"),
        ("/outage.md", "outage"), ("dir/OUTAGE.MD", "OUTAGE"), ("dir/notes", "notes"),
    ])
    func idIsTheFileNameWithoutItsMarkdownExtension(path: String, id: String) {
        #expect(RunbookParser.parseWithDiagnostics(text: "# T\n", path: path).runbook.id == id)
    }

    @Test func invalidPatternsAreReportedInEveryRunbookNotJustTheFirst() throws {
        let text = "---\nvariables:\n  A: {pattern: \"([a-z\"}\n---\n# T\n"
        for _ in 0..<2 {
            #expect(
                try diagnostics(text).map(\.message) == ["pattern of `A` is not a valid regular expression"])
        }
    }

    @Test(arguments: [
        ("---\r\ntitle: Windows\r\n---\r\n# Body\r\n", "Windows"), ("---  \t\ntitle: Blanks\n---\n", "Blanks"),
        ("---\ntitle: Dots\n...\nbody\n", "Dots"), ("--- \u{00A0}\ntitle: Unicode space\n---\n", "Unicode space"),
    ])
    func frontMatterOpensWithThreeDashesAndClosesWithDashesOrDots(text: String, title: String) throws {
        #expect(try parse(text).title == title)
    }

    @Test(arguments: ["----\ntitle: x\n---\n", "---\u{0301}\ntitle: x\n---\n", "# T\n---\ntitle: x\n---\n"])
    func anythingButThreeDashesOnTheFirstLineIsNoFrontMatter(text: String) throws {
        #expect(try parse(text).title != "x")
    }
}
