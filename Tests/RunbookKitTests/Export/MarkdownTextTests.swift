import Foundation
import Testing

@testable import RunbookKit

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

    /// The byte-by-byte cell and paragraph writers (used for every timeline row and note) give exactly what the
    /// string functions give, for ordinary text and for every case they hand back to them.
    @Test func byteWritersMatchTheStringFunctions() {
        var samples = [
            "", " ", "plain", "  padded  ", "\tTab", "trailing\t", "- item", "+ x", "= y", "1. first", "12) second",
            "2026-01-01 00:05:03Z", "T+01:30", "3\u{301}. combining", "٣. arabic digit", "a | b", "`code` *bold* _u_",
            "line\nbreak", "crlf\r\nline", "é starts", "ends é", "\u{3000}ideographic space\u{3000}", "100%",
            "<html> & [link](x) ~strike~ #tag !bang \\ back", "1", "12", "9.", "x\u{1B}[31mred",
        ]
        // Deterministic random strings over the characters that matter.
        let alphabet = Array("ab 1.)-+=|`*_[]<>#~&!\\\t\né\u{3000}\u{301}٣")
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        for _ in 0..<2000 {
            var text = ""
            state = state &* 6_364_136_223_846_793_005 &+ 1
            for _ in 0..<Int(state >> 60) {
                state = state &* 6_364_136_223_846_793_005 &+ 1
                text.append(alphabet[Int(state >> 33) % alphabet.count])
            }
            samples.append(text)
        }
        for text in samples {
            var cell: [UInt8] = []
            MarkdownText.appendTableCell(text, to: &cell)
            #expect(String(decoding: cell, as: UTF8.self) == MarkdownText.tableCell(text), "\(text.debugDescription)")
            var paragraph: [UInt8] = []
            MarkdownText.appendParagraph(text, indent: 2, to: &paragraph)
            #expect(
                String(decoding: paragraph, as: UTF8.self) == MarkdownText.paragraph(text, indent: 2),
                "\(text.debugDescription)")
        }
    }
}
