import Foundation
import RunbookTestSupport
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

    /// Text that Markdown would not misread is left as written: no backslash in `0.42s`, `#incident-response`,
    /// `snake_case`, `C:\temp`, and `<` or `&` that start no tag or entity.
    @Test func textMarkdownWouldNotMisreadIsLeftAlone() {
        for text in [
            "took 0.42s", "#incident-response", "see #42", "snake_case_name", "C:\\temp", "a < b > c", "R&D",
            "1.5 GB", "-v flag", "2026-01-01", "x * y", "~/logs", "[ok]", "50% of 3!", "a_b *c",
        ] {
            #expect(MarkdownText.inline(text) == text, "\(text)")
            #expect(MarkdownText.tableCell(text) == text, "\(text)")
        }
        #expect(MarkdownText.inline("<b>bold</b> &amp;") == "&lt;b>bold&lt;/b> &amp;amp;")
        #expect(MarkdownText.inline("*a* _b_ `c` ~~d~~ [e](f)") == "\\*a\\* \\_b\\_ \\`c\\` \\~\\~d\\~\\~ \\[e](f)")
        #expect(MarkdownText.tableCell("a | b") == "a \\| b")
        #expect(MarkdownText.inline("Checkout #") == "Checkout \\#")
    }

    /// Whatever the text, cmark-gfm renders it back as written, in a list item and in a table cell: nothing is
    /// read as syntax and no backslash is left visible.
    @Test func renderedTextReadsAsWritten() throws {
        var samples = [
            "took 0.42s", "#incident-response", "# heading", "- item", "+ item", "* item", "1. first", "12) second",
            "> quote", "---", "===", "* * *", "___", "<b>bold</b>", "<https://example.com>", "a & b", "&amp; &#35;",
            "*emphasis*", "**strong**", "_under_", "snake_case_name", "`code`", "``two``", "~~strike~~",
            "[link](https://example.com)", "![image](x.png)", "[ref]", "C:\\temp\\*x*", "back\\", "\\`x`",
            "title #", "a | b", "<!-- comment -->", "<?php ?>", "x<y", "1.5 GB", "~/logs and ~/tmp",
        ]
        let alphabet = Array("ab 1.)-+=|`*_[]<>#~&!\\é")
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<300 {
            var text = ""
            state = state &* 6_364_136_223_846_793_005 &+ 1
            for _ in 0..<(1 + Int(state >> 60)) {
                state = state &* 6_364_136_223_846_793_005 &+ 1
                text.append(alphabet[Int(state >> 33) % alphabet.count])
            }
            samples.append(MarkdownText.trimmingWhitespace(text))
        }
        samples = samples.filter { !$0.isEmpty }
        let list = samples.map { "- " + MarkdownText.inline($0) }.joined(separator: "\n")
        let table =
            "| x |\n|---|\n" + samples.map { "| " + MarkdownText.tableCell($0) + " |" }.joined(separator: "\n")
        for (markdown, tag) in [(list, "li"), (table, "td")] {
            let html = try ExternalTool.run("cmark-gfm", ["-e", "table", "-t", "html"], stdin: Data(markdown.utf8))
            let cells = html.stdout.components(separatedBy: "<\(tag)>").dropFirst().map {
                $0.components(separatedBy: "</\(tag)>")[0]
            }
            let texts = cells.map {
                $0.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
                    .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
            }
            #expect(texts.count == samples.count, "\(html.stdout)")
            for (text, sample) in zip(texts, samples) { #expect(text == sample, "\(tag): \(sample.debugDescription)") }
        }
    }

    /// A note or a title may hold control characters (an alert's summary posted to `runbook serve`, a note typed
    /// elsewhere): the Markdown holds none of them, so a terminal that prints the file shows them in caret notation
    /// rather than obeying them (`ESC [2K` erasing the line), and cmark-gfm renders that notation as written.
    @Test func controlCharactersAreWrittenInCaretNotationAndRenderAsSuch() throws {
        let samples = [
            "rm ran \u{1B}[2K\u{1B}[1Gall fine", "bell\u{07}", "del\u{7F}", "\u{1B}](x) link?", "[a\u{1D}(x)",
            "\u{1C}*not emphasis*", "x\u{1F}y_z_", "- \u{1B}]0;title\u{07}", "\u{1B}", "ends with #\u{1B}",
        ]
        for sample in samples {
            for written in [
                MarkdownText.inline(sample), MarkdownText.tableCell(sample), MarkdownText.paragraph(sample),
            ] {
                #expect(ControlCharacters.firstOffset(in: written) == nil, "\(written.debugDescription)")
            }
        }
        let list = samples.map { "- " + MarkdownText.inline($0) }.joined(separator: "\n")
        let table = "| x |\n|---|\n" + samples.map { "| " + MarkdownText.tableCell($0) + " |" }.joined(separator: "\n")
        for (markdown, tag) in [(list, "li"), (table, "td")] {
            let html = try ExternalTool.run("cmark-gfm", ["-e", "table", "-t", "html"], stdin: Data(markdown.utf8))
            let texts = html.stdout.components(separatedBy: "<\(tag)>").dropFirst().map {
                $0.components(separatedBy: "</\(tag)>")[0].replacingOccurrences(of: "&lt;", with: "<")
                    .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
            }
            #expect(texts.count == samples.count, "\(html.stdout)")
            for (text, sample) in zip(texts, samples) {
                #expect(text == ControlCharacters.visible(sample), "\(tag): \(sample.debugDescription)")
            }
        }
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
        let alphabet = Array("ab 1.)-+=|`*_[]<>#~&!\\\t\né\u{3000}\u{301}٣\u{1B}\u{07}\u{7F}\u{1C}\u{1D}")
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
