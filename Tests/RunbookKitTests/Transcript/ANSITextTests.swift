import RunbookKit
import Testing

@Suite struct ANSITextTests {
    @Test func coloursCursorMovesAndTitlesAreRemoved() {
        #expect(ANSIText.strip("\u{1B}[1;31mERROR\u{1B}[0m disk full") == "ERROR disk full")
        #expect(ANSIText.strip("\u{1B}]0;window title\u{07}prompt$ ") == "prompt$ ")
        #expect(ANSIText.strip("\u{1B}]8;;http://x\u{1B}\\link\u{1B}]8;;\u{1B}\\") == "link")
        #expect(ANSIText.strip("50%\u{1B}[2K\u{1B}[1G100%") == "50%100%")
    }

    @Test func lineEndingsBecomeNewlinesAndControlsAreDropped() {
        #expect(ANSIText.strip("a\r\nb\rc\n") == "a\nb\nc\n")
        #expect(ANSIText.strip("tab\there\u{07}\u{08}") == "tab\there")
        #expect(ANSIText.strip("héllo ✓") == "héllo ✓")
        #expect(ANSIText.strip("\u{9B}31mred\u{9B}0m \u{85}next") == "red next")
    }
}
