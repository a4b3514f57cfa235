import Foundation
import Testing

@testable import RunbookKit

@Suite struct TerminalHTMLTests {
    private func render(_ lines: [String]) -> String {
        var terminal = TerminalHTML()
        var out: [UInt8] = []
        for line in lines {
            terminal.appendLine(Array(line.utf8)[...], to: &out)
            out.append(UInt8(ascii: "\n"))
        }
        return String(decoding: out, as: UTF8.self)
    }

    @Test func paletteAndTrueColoursBecomeClasses() {
        #expect(render(["\u{1B}[38;5;208mX\u{1B}[0m"]) == "<span class=\"f208\">X</span>\n")
        #expect(render(["\u{1B}[38;2;255;0;0mX"]) == "<span class=\"f196\">X</span>\n")
        #expect(render(["\u{1B}[38:2::0:0:255mX"]) == "<span class=\"f21\">X</span>\n")
        #expect(
            render(["\u{1B}[97;44mX\u{1B}[49mY"]) == "<span class=\"f15 g4\">X</span><span class=\"f15\">Y</span>\n")
        #expect(render(["\u{1B}[7mX\u{1B}[27m"]) == "<span class=\"fi gi\">X</span>\n")
    }

    @Test func aStyleLastsAcrossLinesUntilReset() {
        #expect(
            render(["\u{1B}[1;32mok", "still", "\u{1B}[mplain"])
                == "<span class=\"f2 b\">ok</span>\n<span class=\"f2 b\">still</span>\nplain\n")
    }

    @Test func aCarriageReturnKeepsWhatWasWrittenLastAndMarkupIsEscaped() {
        #expect(
            render(["10%\r\u{1B}[31m100% <done> & \"ok\"\r"])
                == "<span class=\"f1\">100% &lt;done&gt; &amp; &quot;ok&quot;</span>\n")
    }

    @Test func aMultiByteCharacterIsNeverSplitBetweenRuns() {
        #expect(render(["é\u{1B}[31mé"]) == "é<span class=\"f1\">é</span>\n")
    }
}
