import Foundation
import RunbookKit
import Testing

@Suite struct BadInputTests {
    @Test func binaryInputIsAClearError() throws {
        let data = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00])
        let error = try #require(throws: RunbookParseError.self) { try RunbookParser.parse(data: data, path: "x.md") }
        #expect(error.summary.contains("binary"))
        #expect(error.exitStatus == .usage)
    }

    @Test func invalidUTF8IsAnErrorAtTheByte() throws {
        let data = Data("# Title\n\ncaf".utf8) + Data([0xE9]) + Data(" au lait\n".utf8)
        let error = try #require(throws: RunbookParseError.self) { try RunbookParser.parse(data: data, path: "x.md") }
        #expect(error.summary == "x.md is not valid UTF-8")
        #expect(error.location == SourceLocation(file: "x.md", line: 3, column: 4))
    }

    @Test func emptyInputParsesToAnEmptyRunbook() throws {
        let runbook = try RunbookParser.parse(data: Data(), path: "runbooks/empty.md")
        #expect(runbook.id == "empty")
        #expect(runbook.title == nil)
        #expect(runbook.items.isEmpty)
    }

    @Test func unclosedFrontMatterIsAnError() throws {
        let found = try RunbookParser.parseWithDiagnostics(data: Data("---\ntitle: x\n".utf8), path: "x.md")
        #expect(found.diagnostics.map(\.message) == ["front matter starts with `---` but is never closed"])
    }

    @Test func tenMegabytesParse() throws {
        var text = "# Big\n\n"
        var section = 0
        while text.utf8.count < 10 * 1024 * 1024 {
            section += 1
            // Long prose with a few structures: megabytes of text, thousands (not hundreds of thousands) of nodes.
            text +=
                "## Section \(section)\n\n" + String(repeating: "Guidance that fills the file. ", count: 60) + "\n\n"
            text += "```bash {risk=read}\nkubectl get pods -n candlefish-prod | grep website-\(section)\n```\n\n"
            text += "| a | b |\n|---|---|\n| 1 | 2 |\n\n- [ ] confirm \(section)\n\n"
        }
        let runbook = try RunbookParser.parse(data: Data(text.utf8), path: "big.md")
        #expect(runbook.steps.count == section)
        #expect(runbook.steps.last?.id == "section-\(section)")
    }

    @Test func oversizedInputIsRefused() throws {
        let data = Data(repeating: UInt8(ascii: "a"), count: RunbookParser.maximumFileSize + 1)
        let error = try #require(throws: RunbookParseError.self) {
            try RunbookParser.parse(data: data, path: "huge.md")
        }
        #expect(error.summary.contains("limited to"))
    }
}

/// Commands that would show one thing and run another, and names that change what runs before the command.
@Suite struct HiddenBehaviourBadInputTests {
    @Test func aControlCharacterInACommandIsAnErrorAtItsLineAndColumn() throws {
        let text = "---\ntitle: T\n---\n# T\n\n```bash\ntouch X; echo ok #\u{1B}[2K\u{1B}[1G$ echo ok\n```\n"
        let found = RunbookParser.parseWithDiagnostics(text: text, path: "t.md")
        let error = try #require(found.diagnostics.first { $0.severity == .error })
        #expect(error.location == SourceLocation(file: "t.md", line: 7, column: 19))
        #expect(error.message.contains("^["))
        #expect(found.runbook.steps.isEmpty)
        #expect(throws: RunbookParseError.self) { try RunbookParser.parse(data: Data(text.utf8), path: "t.md") }
    }

    @Test func controlCharactersInAConsoleBlockAndDELAreErrors() throws {
        let console = RunbookParser.parseWithDiagnostics(
            text: "# T\n\n> ```console\n> $ echo \u{7F}ok\n> ```\n", path: "t.md")
        let error = try #require(console.diagnostics.first { $0.severity == .error })
        #expect(error.location == SourceLocation(file: "t.md", line: 4, column: 10))
        #expect(error.message.contains("^?"))
    }

    @Test func tabsStayAllowedInCommands() throws {
        let runbook = try RunbookParser.parse(data: Data("# T\n\n```bash\nprintf 'a\tb\\n'\n```\n".utf8), path: "t.md")
        #expect(runbook.steps.first?.command == "printf 'a\tb\\n'")
    }

    @Test func controlCharactersAreShownInCaretNotation() {
        #expect(ControlCharacters.visible("echo ok #\u{1B}[2K\r$ x\u{7F}\ty\n") == "echo ok #^[[2K^M$ x^?\ty\n")
        #expect(ControlCharacters.visible("plain") == "plain")
    }

    @Test(arguments: ["BASH_ENV", "LD_PRELOAD", "PATH", "IFS", "BASH_FUNC_ls", "PROMPT_COMMAND", "PYTHONPATH"])
    func aVariableThatChangesTheShellIsRefusedAtItsLine(_ name: String) throws {
        let text = "---\ntitle: T\nvariables:\n  \"\(name)\": {default: /tmp/x}\n---\n# T\n"
        let found = RunbookParser.parseWithDiagnostics(text: text, path: "t.md")
        let error = try #require(found.diagnostics.first { $0.severity == .error }, "\(name)")
        #expect(error.location.line == 4)
        if VariableReferences.isValidName(name) {
            #expect(error.message.contains("changes how the shell or the loader behaves"), "\(error.message)")
        }
        #expect(found.runbook.variables.isEmpty)
    }

    @Test func captureIntoAReservedNameIsAnErrorAtTheAttribute() throws {
        let found = RunbookParser.parseWithDiagnostics(
            text: "# T\n\n```bash {id=a capture=LD_PRELOAD}\necho /tmp/evil.so\n```\n", path: "t.md")
        let error = try #require(found.diagnostics.first { $0.severity == .error })
        #expect(error.location.line == 3)
        #expect(error.message.contains("`LD_PRELOAD` changes how the shell"))
    }
}
