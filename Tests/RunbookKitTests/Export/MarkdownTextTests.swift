import Foundation
import RunbookKit
import Testing

@Suite struct MarkdownTextTests {
    @Test func fenceIsLongerThanTheLongestBacktickRun() {
        #expect(MarkdownText.fencedBlock("a\n```\nb").hasPrefix("````\n"))
        #expect(MarkdownText.fencedBlock("x ````` y", info: "text").hasPrefix("``````text\n"))
        #expect(MarkdownText.fencedBlock("plain").hasPrefix("```\n"))
        #expect(MarkdownText.fencedBlock("plain").hasSuffix("\n```"))
    }

    @Test func tableCellsEscapePipesAndFoldNewlines() {
        let cell = MarkdownText.tableCell("a | b\nc")
        #expect(cell == "a \\| b ↵ c")
        #expect(!cell.contains("\n"))
    }

    @Test func inlineTextCannotStartABlock() {
        #expect(MarkdownText.inline("- item") == "\\- item")
        #expect(MarkdownText.inline("1. first") == "1\\. first")
        #expect(MarkdownText.inline("# title") == "\\# title")
        #expect(MarkdownText.inline("`code`") == "\\`code\\`")
    }
}
