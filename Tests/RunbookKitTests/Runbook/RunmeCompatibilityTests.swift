import Foundation
import RunbookKit
import Testing

/// Runme notebooks and site-generator pages open as they are: Runme's ids and names, its front matter, and the
/// front matter of Hugo, Docusaurus, MkDocs and Jekyll.
@Suite struct RunmeCompatibilityTests {
    func parsed(_ body: String, path: String = "docs/ops/x.md") throws -> (runbook: Runbook, diagnostics: [Diagnostic])
    {
        try RunbookParser.parseWithDiagnostics(data: Data(body.utf8), path: path)
    }

    @Test func aRunmeULIDWithANameTakesTheNameAsTheStepID() throws {
        let (runbook, diagnostics) = try parsed(
            #"""
            # T

            ```sh {"id":"01HX3R5A2B3C4D5E6F7G8H9J0K","name":"list-keys"}
            echo keys
            ```
            """#)
        #expect(diagnostics.isEmpty)
        #expect(runbook.steps.first?.id == "list-keys")
        #expect(runbook.steps.first?.attributes.id == "01HX3R5A2B3C4D5E6F7G8H9J0K")
    }

    @Test func anIDOfOurOwnStaysTheIDAndTheNameIsShownBesideIt() throws {
        let (runbook, _) = try parsed("# T\n\n```bash {id=pods name=\"Look at the pods\"}\necho\n```\n")
        #expect(runbook.steps.first?.id == "pods")
        #expect(runbook.steps.first?.attributes.name == "Look at the pods")
    }

    @Test func aNameWithSpacesAloneGivesTheStepASlugOfIt() throws {
        let (runbook, _) = try parsed("# T\n\n```bash {name=\"Announce the rotation\"}\necho\n```\n")
        #expect(runbook.steps.first?.id == "announce-the-rotation")
    }

    @Test func excludeFromRunmeBlocksAreNotSteps() throws {
        let (runbook, _) = try parsed("# T\n\n```bash {excludeFromRunme=true}\necho setup\n```\n")
        #expect(runbook.steps.isEmpty)
    }

    @Test func backgroundAndPromptEnvAreRecordedWithANoteThatTheyHaveNoEffectHere() throws {
        let (runbook, diagnostics) = try parsed(
            "# T\n\n```bash {id=a background}\necho\n```\n\n```bash {id=b promptEnv=yes}\nexport K=v\n```\n\n```bash {id=c promptEnv=no}\necho\n```\n"
        )
        #expect(runbook.steps.map(\.attributes.background) == [true, false, false])
        #expect(
            diagnostics.map { "\($0.location.line) \($0.severity.rawValue) \($0.message)" } == [
                "3 note `background` is recorded, but the step runs in the foreground here: the session waits for it",
                "7 note `promptEnv` is recorded, but exported values are not asked for here: the step runs as written",
            ])
    }

    @Test func siteGeneratorAndRunmeFrontMatterIsKnownAndIgnored() throws {
        let (runbook, diagnostics) = try parsed(
            """
            ---
            title: Cache latency
            weight: 20
            date: 2024-03-01
            draft: false
            tags: [cache]
            categories: [alerts]
            aliases: [/a/]
            menu: {main: {parent: alerts}}
            sidebar_position: 3
            sidebar_label: Cache
            hide_title: false
            keywords: [cache]
            custom_edit_url: https://example.com/x
            permalink: /alerts/x/
            published: true
            layout: runbook
            runme:
              id: 01HX3R4W8E1QZ5Y7K2M9N6P0TA
              version: v3
            skipPrompts: true
            ---
            # Cache latency
            """)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        #expect(runbook.title == "Cache latency")
    }

    @Test func anotherUnknownFrontMatterKeyIsStillAWarning() throws {
        let (_, diagnostics) = try parsed("---\ntitle: T\ncolour: blue\n---\n# T\n")
        #expect(diagnostics.map(\.severity) == [.warning])
    }

    @Test func frontMatterCwdIsRelativeToTheRunbookAndStepsStartFromIt() throws {
        let (runbook, diagnostics) = try parsed(
            "---\ncwd: ../deploy\n---\n# T\n\n```bash {id=a}\npwd\n```\n\n```bash {id=b cwd=charts}\npwd\n```\n\n```bash {id=c cwd=/srv}\npwd\n```\n",
            path: "docs/ops/x.md")
        #expect(diagnostics.isEmpty)
        #expect(runbook.workingDirectory == "docs/deploy")
        #expect(runbook.steps.map(\.attributes.cwd) == ["docs/deploy", "docs/deploy/charts", "/srv"])
    }

    @Test func withoutFrontMatterCwdAStepCwdIsUsedAsWritten() throws {
        let (runbook, _) = try parsed("# T\n\n```bash {cwd=charts}\npwd\n```\n")
        #expect(runbook.workingDirectory == nil)
        #expect(runbook.steps.first?.attributes.cwd == "charts")
    }

    @Test func placeholderInDoubleQuotesIsNotCalledARedirection() throws {
        let (runbook, _) = try parsed(
            "# T\n\n```bash {risk=read}\noc get pod \"<pod-name>\"\noc logs <pod-name>\n```\n")
        let messages = Linter().check(runbook).map(\.message)
        #expect(
            messages == [
                "placeholder `<pod-name>` left in the command: the shell passes it as written",
                "placeholder `<pod-name>` left in the command: the shell reads `<` as a redirection",
            ])
    }
}
