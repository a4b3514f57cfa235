import RunbookCLI
import Testing

@Suite struct TerminalStyleTests {
    @Test func colourIsOnForATerminalWithoutNoColor() {
        let style = TerminalStyle.detect(environment: ["TERM": "xterm-256color"], stdoutIsTerminal: true)
        #expect(style.usesColor)
        #expect(style.paint("ok", .green) == "\u{1B}[32mok\u{1B}[0m")
        #expect(style.paint("P0", .red, .bold) == "\u{1B}[31;1mP0\u{1B}[0m")
    }

    @Test func noColorTurnsColourOff() {
        let style = TerminalStyle.detect(environment: ["NO_COLOR": "1", "TERM": "xterm"], stdoutIsTerminal: true)
        #expect(!style.usesColor)
        #expect(style.paint("rm -rf /data", .redBackground) == "rm -rf /data")
    }

    @Test func anEmptyNoColorDoesNotCount() {
        // no-color.org: "when present and not an empty string".
        let style = TerminalStyle.detect(environment: ["NO_COLOR": ""], stdoutIsTerminal: true)
        #expect(style.usesColor)
    }

    @Test func outputThatIsNotATerminalGetsNoColour() {
        let style = TerminalStyle.detect(environment: [:], stdoutIsTerminal: false)
        #expect(style == .plain)
        #expect(style.paint("failed", .red) == "failed")
    }

    @Test func aDumbTerminalGetsNoColourAndNoLineEditor() {
        let style = TerminalStyle.detect(environment: ["TERM": "dumb"], stdoutIsTerminal: true)
        #expect(!style.usesColor)
        #expect(
            !TerminalStyle.lineEditorIsUsable(
                environment: ["TERM": "dumb"], stdinIsTerminal: true, stdoutIsTerminal: true))
        #expect(
            TerminalStyle.lineEditorIsUsable(
                environment: ["TERM": "xterm"], stdinIsTerminal: true, stdoutIsTerminal: true))
        #expect(
            !TerminalStyle.lineEditorIsUsable(
                environment: ["TERM": "xterm"], stdinIsTerminal: false, stdoutIsTerminal: true))
    }

    @Test func theREPLScreensAskTheSameDecision() throws {
        // The renderer has no colour switch of its own: NO_COLOR and TERM=dumb reach it through TerminalStyle.
        for environment in [["NO_COLOR": "1", "TERM": "xterm"], ["TERM": "dumb"]] {
            let renderer = SessionRenderer(style: .detect(environment: environment, stdoutIsTerminal: true))
            let prompt = renderer.prompt(incidentID: 1, severity: .p0, environment: "production", elapsed: 5)
            #expect(!prompt.contains("\u{1B}"))
            #expect(!renderer.failureChoices(onFail: nil).contains("\u{1B}"))
        }
        let coloured = SessionRenderer(style: .detect(environment: ["TERM": "xterm"], stdoutIsTerminal: true))
        #expect(coloured.prompt(incidentID: 1, severity: .p0, environment: "staging", elapsed: 5).contains("\u{1B}["))
    }

    @Test func aDumbTerminalOrNoColorGetsASCIIMarksEvenOnAPipe() {
        for environment in [["NO_COLOR": "1", "TERM": "xterm"], ["TERM": "dumb"]] {
            for terminal in [true, false] {
                let style = TerminalStyle.detect(environment: environment, stdoutIsTerminal: terminal)
                #expect(style.usesASCIIMarks, "\(environment) \(terminal)")
                let renderer = SessionRenderer(style: style)
                let prompt = renderer.prompt(
                    incidentID: 1, severity: .p0, environment: "staging", elapsed: 5, countdown: 724)
                #expect(prompt == "#1 P0 [escalates in] 12:04 staging 00:05 > ", "\(prompt)")
                #expect(prompt.unicodeScalars.allSatisfy { $0.isASCII }, "\(prompt)")
            }
        }
        let unicode = TerminalStyle.detect(environment: ["TERM": "xterm"], stdoutIsTerminal: false)
        #expect(!unicode.usesASCIIMarks)
        let marks = TerminalStyle.Mark.allCases.map { unicode.mark($0) }
        #expect(marks == ["✓", "✗", "–", "☐", "⚠", "⏱", "·", "›"])
        #expect(
            TerminalStyle.Mark.allCases.allSatisfy { $0.ascii.unicodeScalars.allSatisfy { $0.isASCII } })
    }

    @Test func displayWidthIgnoresEscapesAndPromptBrackets() {
        let style = TerminalStyle(usesColor: true)
        #expect(TerminalStyle.displayWidth("#12 P1 production 04:31 › ") == 26)
        #expect(TerminalStyle.displayWidth(style.paint("P1", .yellow, .bold) + " ⏱ 12:04") == 10)
        #expect(TerminalStyle.displayWidth("\u{1}\u{1B}[33m\u{2}P1\u{1}\u{1B}[0m\u{2}") == 2)
    }

    @Test func displayWidthCountsWideCharactersTwiceAndCombiningMarksNever() {
        #expect(TerminalStyle.displayWidth("障害") == 4)
        #expect(TerminalStyle.displayWidth("e\u{301}") == 1)
        #expect(TerminalStyle.displayWidth("🔥") == 2)
    }
}

@Suite struct PromptEscapeTests {
    @Test func escapesInAPromptAreBracketedForTheLineEditor() {
        let prompt = "#12 \u{1B}[31mP1\u{1B}[0m production 04:31 › "
        let bracketed = TerminalStyle.bracketingEscapes(prompt)
        #expect(bracketed == "#12 \u{1}\u{1B}[31m\u{2}P1\u{1}\u{1B}[0m\u{2} production 04:31 › ")
        #expect(TerminalStyle.displayWidth(bracketed) == TerminalStyle.displayWidth("#12 P1 production 04:31 › "))
    }

    @Test func alreadyBracketedEscapesAreLeftAlone() {
        let prompt = "\u{1}\u{1B}[1;37;41m\u{2}P0\u{1}\u{1B}[0m\u{2} › "
        #expect(TerminalStyle.bracketingEscapes(prompt) == prompt)
    }

    @Test func aPlainPromptIsUnchanged() {
        #expect(TerminalStyle.bracketingEscapes("#3 P2 staging 00:07 › ") == "#3 P2 staging 00:07 › ")
    }
}
