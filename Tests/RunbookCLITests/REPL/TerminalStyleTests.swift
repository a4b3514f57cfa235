import Testing

@testable import RunbookCLI

@Suite struct TerminalStyleTests {
    @Test func colourIsOnForATerminalWithoutNoColor() {
        let style = TerminalStyle.detect(environment: ["TERM": "xterm-256color"], stdoutIsTerminal: true)
        #expect(style.usesColor)
        #expect(style.paint("ok", .done) == "\u{1B}[32mok\u{1B}[0m")
    }

    @Test func noColorTurnsColourOffButKeepsSymbols() {
        let style = TerminalStyle.detect(environment: ["NO_COLOR": "1", "TERM": "xterm"], stdoutIsTerminal: true)
        #expect(!style.usesColor)
        #expect(style.marked(.done, "check-pods") == "✔ check-pods")
        #expect(!style.paint("rm -rf /data", .destructive).contains("\u{1B}"))
    }

    @Test func anEmptyNoColorDoesNotCount() {
        // no-color.org: "when present and not an empty string".
        let style = TerminalStyle.detect(environment: ["NO_COLOR": ""], stdoutIsTerminal: true)
        #expect(style.usesColor)
    }

    @Test func outputThatIsNotATerminalGetsNoColour() {
        let style = TerminalStyle.detect(environment: [:], stdoutIsTerminal: false)
        #expect(style == .plain)
        #expect(style.paint("failed", .failed) == "failed")
    }

    @Test func aDumbTerminalGetsASCIIWordsForMarks() {
        let style = TerminalStyle.detect(environment: ["TERM": "dumb"], stdoutIsTerminal: true)
        #expect(!style.usesColor)
        #expect(style.symbol(.failed) == "[FAILED]")
        #expect(style.symbol(.destructive) == "[DESTRUCTIVE]")
        for mark in TerminalStyle.Mark.allCases {
            let ascii = style.symbol(mark).unicodeScalars.allSatisfy { $0.isASCII }
            #expect(ascii)
        }
    }

    @Test func everyMarkHasItsOwnSymbol() {
        let symbols = TerminalStyle.Mark.allCases.map { TerminalStyle.plain.symbol($0) }
        #expect(symbols == ["✔", "↷", "✘", "⚠", "⏱"])
    }

    @Test func markedTextTakesTheColourOfItsMark() {
        let style = TerminalStyle(usesColor: true)
        #expect(style.marked(.failed, "db-check") == "\u{1B}[31m✘ db-check\u{1B}[0m")
        #expect(style.marked(.countdown, "") == "\u{1B}[36m⏱\u{1B}[0m")
    }

    @Test func promptColoursAreBracketedForTheLineEditor() {
        let style = TerminalStyle(usesColor: true)
        let painted = style.paintForPrompt("P0", .destructive)
        #expect(painted == "\u{1}\u{1B}[1;97;41m\u{2}P0\u{1}\u{1B}[0m\u{2}")
        #expect(TerminalStyle.plain.paintForPrompt("P0", .destructive) == "P0")
    }

    @Test func displayWidthIgnoresEscapesAndPromptBrackets() {
        let style = TerminalStyle(usesColor: true)
        #expect(TerminalStyle.displayWidth("#12 P1 production 04:31 › ") == 26)
        #expect(TerminalStyle.displayWidth(style.paint("P1", .warning) + " ⏱ 12:04") == 10)
        #expect(TerminalStyle.displayWidth(style.paintForPrompt("P1", .warning)) == 2)
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
        let prompt = TerminalStyle(usesColor: true).paintForPrompt("P0", .destructive) + " › "
        #expect(TerminalStyle.bracketingEscapes(prompt) == prompt)
    }

    @Test func aPlainPromptIsUnchanged() {
        #expect(TerminalStyle.bracketingEscapes("#3 P2 staging 00:07 › ") == "#3 P2 staging 00:07 › ")
    }
}
