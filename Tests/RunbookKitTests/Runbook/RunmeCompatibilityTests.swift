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

    @Test func backgroundIsReadAndPromptEnvSaysWhatItAsks() throws {
        let (runbook, diagnostics) = try parsed(
            "# T\n\n```bash {id=a background}\necho\n```\n\n```bash {id=b promptEnv=yes}\nexport K=v\n```\n\n```bash {id=c promptEnv=no}\necho\n```\n"
        )
        #expect(runbook.steps.map(\.attributes.background) == [true, false, false])
        #expect(
            diagnostics.map { "\($0.location.line) \($0.severity.rawValue) \($0.message)" } == [
                "7 note `promptEnv` asks for `K` before the step runs"
            ])
    }

    @Test func backgroundWithCaptureOrInteractiveIsAWarning() throws {
        let (_, diagnostics) = try parsed(
            "# T\n\n```bash {id=a background capture=OUT}\necho\n```\n\n```bash {id=b background interactive=true}\ntop\n```\n"
        )
        #expect(
            diagnostics.map { "\($0.location.line) \($0.severity.rawValue) \($0.message)" } == [
                "3 warning `background` with capture=OUT: the session goes on before the output exists, so nothing is captured",
                "7 warning `background` with interactive=true: a background step never gets the terminal, so it runs without input",
            ])
    }

    /// `promptEnv`: literal exports become variables asked with the literal as default; the line keeps the answer
    /// (`[ -n "${NAME+set}" ] || export …`); anything but a literal is left to run as written.
    @Test func promptEnvAsksForLiteralExportsAndKeepsTheAnswer() throws {
        let (runbook, diagnostics) = try parsed(
            "---\nvariables:\n  REGION: {prompt: Which region?, default: eu}\n---\n# T\n\n"
                + "```bash {id=b promptEnv=auto}\nexport CACHE_GEN=\"key 2\"\n  export REGION=us\nexport API_TOKEN='t'\n"
                + "export NOW=$(date)\nexport A=b c\necho \"$CACHE_GEN\"\n```\n\n```bash {id=c}\nexport LATER=x\n```\n")
        let step = try #require(runbook.steps.first)
        #expect(
            step.command == """
                [ -n "${CACHE_GEN+set}" ] || export CACHE_GEN="key 2"
                  [ -n "${REGION+set}" ] || export REGION=us
                [ -n "${API_TOKEN+set}" ] || export API_TOKEN='t'
                export NOW=$(date)
                export A=b c
                echo "$CACHE_GEN"
                """)
        #expect(runbook.steps[1].command == "export LATER=x", "without promptEnv nothing changes")
        // REGION keeps its declaration; the others are added with the literal as default, a token as a secret.
        #expect(runbook.variables.map(\.name) == ["REGION", "CACHE_GEN", "API_TOKEN"])
        #expect(runbook.variables[0].defaultValue == "eu")
        #expect(runbook.variables[1].defaultValue == "key 2" && !runbook.variables[1].secret)
        #expect(runbook.variables[2].secret)
        #expect(
            diagnostics.map(\.message) == [
                "`promptEnv` asks for `CACHE_GEN`, `REGION`, `API_TOKEN` before the step runs; 2 other exports run as written"
            ])
        // The rewritten line keeps an answer given as environment, and sets the literal without one.
        for (environment, expected) in [(["CACHE_GEN": "answer"], "answer"), ([:], "key 2")] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = ["-c", step.command.split(separator: "\n")[0] + "; printf %s \"$CACHE_GEN\""]
            process.environment = environment
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            process.waitUntilExit()
            #expect(String(decoding: DescriptorReading.readToEnd(pipe.fileHandleForReading), as: UTF8.self) == expected)
        }
    }

    @Test func skipPromptsInTheFrontMatterTurnsPromptEnvOff() throws {
        let (runbook, diagnostics) = try parsed(
            "---\nskipPrompts: true\n---\n# T\n\n```bash {id=b promptEnv=yes}\nexport GEN=v\n```\n")
        #expect(runbook.steps.first?.command == "export GEN=v")
        #expect(runbook.variables.isEmpty)
        #expect(diagnostics.isEmpty)
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
