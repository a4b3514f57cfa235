import Foundation
import RunbookKit
import Testing

@Suite struct MarkdownDocumentTests {
    @Test func reportsSourcePositionsAndFenceInfoVerbatim() throws {
        let document = MarkdownDocument(text: "# Title\n\n```bash {id=check-pods}\nkubectl get pods\n```\n")
        let children = document.root.children
        #expect(children.map(\.kind) == [.heading, .codeBlock])
        #expect(children[0].headingLevel == 1)
        #expect(children[1].startLine == 3)
        #expect(children[1].endLine == 5)
        #expect(children[1].isFenced)
        #expect(children[1].fenceInfo == "bash {id=check-pods}")
        #expect(children[1].literal == "kubectl get pods\n")
    }

    @Test func indentedCodeIsNotFenced() throws {
        let document = MarkdownDocument(text: "text\n\n    indented code\n")
        let block = try #require(document.root.children.last)
        #expect(block.kind == .codeBlock)
        #expect(!block.isFenced)
    }

    @Test func tableNodesAreRecognisedByTypeString() throws {
        let document = MarkdownDocument(text: "| a | b |\n|---|---|\n| `1` | **2** |\n")
        let table = try #require(document.root.firstChild)
        #expect(table.kind == .table)
        #expect(table.children.map(\.kind) == [.tableHeader, .tableRow])
        #expect(table.children[1].children.map(\.plainText) == ["1", "2"])
        #expect(table.children[1].startLine == 3)
    }

    @Test func plainTextIsTrimmedAsFoundationTrimsIt() throws {
        let cells = ["\u{00A0}a\u{3000}", "\u{2003}b c\u{2028}", "\u{200B}d", "e\u{0301}", "\u{00A0}"]
        let document = MarkdownDocument(
            text: "| x | y | z | v | w |\n|---|---|---|---|---|\n| " + cells.joined(separator: " | ") + " |\n")
        let row = try #require(document.root.firstChild?.children.last)
        let expected = cells.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        #expect(row.children.map(\.plainText) == expected)
    }

    @Test func taskItemsKnowWhetherTheyAreTicked() throws {
        let document = MarkdownDocument(text: "- [ ] open\n- [x] done\n- plain\n")
        let items = try #require(document.root.firstChild).children
        #expect(items.map(\.isTaskItem) == [true, true, false])
        #expect(items.prefix(2).map(\.isChecked) == [false, true])
        #expect(items.map(\.plainText) == ["open", "done", "plain"])
    }

    @Test func linksExposeTheirDestination() throws {
        let document = MarkdownDocument(text: "[Outage](outage.md#check-pods)\n")
        let link = try #require(document.root.firstChild?.firstChild)
        #expect(link.kind == .link)
        #expect(link.url == "outage.md#check-pods")
        #expect(link.plainText == "Outage")
    }

    @Test func invalidBytesDoNotCrash() {
        let bytes: [UInt8] = [0x23, 0x20, 0xFF, 0xFE, 0x0A, 0x60, 0x60, 0x60, 0x0A]
        let document = bytes.withUnsafeBufferPointer { MarkdownDocument(utf8: $0) }
        #expect(document.root.kind == .document)
    }
}
