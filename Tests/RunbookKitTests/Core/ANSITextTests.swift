import Foundation
import RunbookKit
import Testing

@Suite struct ANSITextTests {
    @Test func styleSequencesComeWithTheOffsetOfTheirFinalByte() {
        let input = Array("a\u{1B}[1;31mb\u{1B}[2Kc\u{1B}[m\u{9B}4md".utf8)
        let scanned = input.withUnsafeBytes { ANSIText.visibleBytesWithStyles($0, carriageReturn: .overwrite) }
        #expect(String(decoding: scanned.bytes, as: UTF8.self) == "abcd")
        #expect(scanned.offsets == [0, 8, 13, 21])
        #expect(
            scanned.styles == [
                ANSIText.StyleSequence(offset: 7, parameters: Array("1;31".utf8)),
                ANSIText.StyleSequence(offset: 16, parameters: []),
                ANSIText.StyleSequence(offset: 20, parameters: Array("4".utf8)),
            ])
    }

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

    @Test func aColourCodeSplittingAWordIsStripped() {
        #expect(ANSIText.strip("dis\u{1B}[31mk fu\u{1B}[0mll") == "disk full")
        #expect(ANSIText.strip("dis\u{1B}[31mk", carriageReturn: .overwrite) == "disk")
    }

    @Test func characterSetDesignationsAndBrokenSequencesLeaveNoLetters() {
        // `tput sgr0` writes ESC ( B: the B names a character set and is not text.
        #expect(ANSIText.strip("\u{1B}(Bdone\u{1B}[m") == "done")
        // A CSI cut short by a newline ends there; the next line is kept.
        #expect(ANSIText.strip("a\u{1B}[31\nnext") == "a\nnext")
    }

    @Test func overwritingKeepsWhatATerminalWouldShow() {
        #expect(ANSIText.strip("10%\r50%\r100%\nnext\r\n", carriageReturn: .overwrite) == "100%\nnext\n")
        #expect(ANSIText.strip("ab\u{08}c é\u{08}e", carriageReturn: .overwrite) == "ac e")
        #expect(ANSIText.strip("10%\r100%", carriageReturn: .lineBreak) == "10%\n100%")
    }

    @Test func visibleBytesKnowWhereEachOneWasStored() {
        let stored = Data("hun\u{1B}[01;31mter2\u{1B}[0m\r\n\u{1B}]0;title\u{07}ok\r".utf8)
        let visible = stored.withUnsafeBytes { ANSIText.visibleBytesWithOffsets($0) }
        #expect(visible.map { String(decoding: $0.bytes, as: UTF8.self) } == "hunter2\nok\n")
        #expect(visible?.offsets == [0, 1, 2, 11, 12, 13, 14, 20, 31, 32, 33])
        // The same bytes as `strip`: one stripper.
        #expect(visible.map { String(decoding: $0.bytes, as: UTF8.self) } == ANSIText.strip(stored))
    }

    @Test func textWithoutEscapesHasNoSeparateVisibleForm() {
        let stored = Data("plain\r\ntext\twith tabs\n".utf8)
        #expect(stored.withUnsafeBytes { ANSIText.visibleBytesWithOffsets($0) } == nil)
    }
}
