import Foundation
import RunbookKit
import Testing

@Suite struct TerminalTextTests {
    @Test func stripsColoursCursorMovesAndTitles() {
        let text = "\u{1B}[1;31mred\u{1B}[0m \u{1B}]0;title\u{07}plain\u{1B}[2K\u{1B}(B done"
        #expect(TerminalText.plain(text) == "red plain done")
    }

    @Test func carriageReturnKeepsTheLastOverwrite() {
        #expect(TerminalText.plain("10%\r50%\r100%\nnext\r\n") == "100%\nnext\n")
    }

    @Test func dropsControlCharactersButKeepsTabs() {
        #expect(TerminalText.plain("a\u{07}b\tc\u{00}d") == "ab\tcd")
    }

    @Test func invalidUTF8IsReplacedVisibly() {
        let decoded = TerminalText.decode(Data([0x61, 0xFF, 0x62]))
        #expect(decoded.isValidUTF8 == false)
        #expect(decoded.text == "a\u{FFFD}b")
        #expect(TerminalText.decode(Data("é".utf8)).isValidUTF8)
    }
}
