import Foundation
import Testing

@testable import RunbookKit

/// The parser's limits: each is an error at its line, reached without recursion or expansion.
@Suite struct ParserLimitTests {
    static func errors(_ text: String) -> [Diagnostic] {
        RunbookParser.parseWithDiagnostics(text: text, path: "x.md").diagnostics.filter { $0.severity == .error }
    }

    @Test func nestingAtTheLimitParsesAndOneMoreLevelIsAnErrorAtItsLine() {
        // A block quote is one level; the paragraph and text inside the innermost quote are two more.
        let limit = RunbookParser.maximumNesting
        #expect(Self.errors("# T\n\n" + String(repeating: ">", count: limit - 2) + " x\n").isEmpty)
        let deep = Self.errors("# T\n\n" + String(repeating: ">", count: limit + 1) + " x\n")
        #expect(deep.count == 1 && deep[0].message.hasPrefix("Markdown nests deeper than \(limit) levels"))
        #expect(deep.first?.location.line == 3)
    }

    /// cmark-gfm takes seconds over tens of thousands of list markers on one line (found by scripts/fuzz): such a
    /// line is refused before cmark reads it, at its line, while ordinary nested lists and quotes still parse.
    @Test func aLineOpeningThousandsOfContainersIsRefusedBeforeCmarkReadsIt() {
        let limit = RunbookParser.maximumNesting
        for opener in ["- ", "* ", "+ ", "> ", "1. ", "2) "] {
            let text = "# T\n\nintro\n\n" + String(repeating: opener, count: 50_000) + "x\n"
            let errors = Self.errors(text)
            #expect(errors.count == 1, "\(opener)")
            #expect(errors.first?.location.line == 5, "\(opener)")
        }
        // At the limit on one line, and ordinary content, nothing is refused by the scan.
        #expect(RunbookParser.lineOpeningTooManyContainers(Substring("- - > 1. x\n").utf8, limit: 3) == 1)
        #expect(RunbookParser.lineOpeningTooManyContainers(Substring("- - > x\n").utf8, limit: 3) == nil)
        #expect(RunbookParser.lineOpeningTooManyContainers(Substring("a\n-x\n*emphasis*\n- - - x").utf8, limit: 2) == 4)
        #expect(Self.errors("# T\n\n" + String(repeating: "- ", count: limit / 4) + "x\n").isEmpty)
    }

    @Test func deepEmphasisAndListsOnOneLineAreRefusedWithoutRecursion() {
        for (opener, closer) in [("- ", ""), ("1. ", ""), ("> - ", ""), ("**", "**"), ("_", "_")] {
            let text =
                "# T\n\n" + String(repeating: opener, count: 20_000) + "x" + String(repeating: closer, count: 20_000)
            #expect(Self.errors(text).contains { $0.message.hasPrefix("Markdown nests deeper") }, "\(opener)")
        }
    }

    @Test func anAliasIsRefusedAtItsLineButAnAnchorAloneIsNot() {
        let alias = Self.errors("---\ntitle: A\na: &x [1]\nb: *x\n---\n# A\n")
        #expect(alias.map(\.message) == ["front matter may not use YAML aliases (`*name`)"])
        #expect(alias.first.map { "\($0.location)" } == "x.md:4:4")
        #expect(Self.errors("---\ntitle: &t A\n---\n# A\n").isEmpty)
    }

    @Test func frontMatterOverTheSizeOrDepthLimitIsAnError() {
        let big = "---\ntitle: \"" + String(repeating: "x", count: FrontMatter.maximumSize) + "\"\n---\n# B\n"
        #expect(Self.errors(big).map(\.message).first?.hasSuffix("the limit is 64 KiB") == true)
        let levels = (1...20).map { String(repeating: "  ", count: $0) + "k\($0):\n" }
        let nested = "---\ntitle: D\nvariables:\n" + levels.joined() + "---\n# D\n"
        #expect(Self.errors(nested).map(\.message) == ["front matter nests deeper than 16 levels"])
        // libyaml stops ten thousand `[` at its own limit of 1,000, before any reader recurses: still one error.
        let brackets = "---\ntitle: D\nx: " + String(repeating: "[", count: 10_000) + "\n---\n# D\n"
        #expect(Self.errors(brackets).count == 1)
    }
}
