import RunbookKit
import Testing

/// The one reader of link targets: Markdown links, `on-fail=`, `goto` and `open`.
@Suite struct LinkTargetTests {
    @Test func markdownLinksAreRunbooksHeadingsOrExternal() throws {
        let cases: [(String, LinkTarget)] = [
            ("database.md", .runbook(id: "database", anchor: nil)),
            ("rollback.md#helm-rollback", .runbook(id: "rollback", anchor: "helm-rollback")),
            ("dir/sub/x.md#a#b", .runbook(id: "dir/sub/x", anchor: "a#b")),
            ("./helpers/podDebug.md", .runbook(id: "helpers/podDebug", anchor: nil)),
            ("X.MD", .runbook(id: "X", anchor: nil)),
            ("../up.md#top", .runbook(id: "../up", anchor: "top")),
            ("#outage", .heading(anchor: "outage")),
            ("https://candlefish.ai/x.md", .external("https://candlefish.ai/x.md")),
            ("mailto:ops@candlefish.ai", .external("mailto:ops@candlefish.ai")),
            ("notes.txt", .external("notes.txt")),
            ("x.md/", .external("x.md/")),
            ("a#b.md", .external("a#b.md")),
            ("ünïcode.md#ä", .runbook(id: "ünïcode", anchor: "ä")),
        ]
        for (text, expected) in cases {
            #expect(try LinkTarget.parse(text, as: .markdownLink).get() == expected, "\(text)")
        }
    }

    @Test func anEmptyAnchorOrNameIsAnErrorNotTheTopOfTheFile() {
        let cases: [(String, LinkTargetError.Reason)] = [
            ("b.md#", .emptyAnchor), ("#", .emptyAnchor), ("x.Md#", .emptyAnchor), (".md", .emptyRunbookName),
            ("a/.md", .emptyRunbookName), ("/.md#x", .emptyRunbookName), ("", .empty),
        ]
        for context in [LinkTarget.Context.markdownLink, .stepOrLink] {
            for (text, reason) in cases {
                #expect(
                    LinkTarget.parse(text, as: context) == .failure(LinkTargetError(target: text, reason: reason)),
                    "\(text)")
            }
        }
    }

    @Test func aBareWordIsAStepForOnFailAndGotoAndARunbookForOpen() throws {
        #expect(try LinkTarget.parse("check-pods", as: .stepOrLink).get() == .step(id: "check-pods"))
        #expect(try LinkTarget.parse("b.md", as: .stepOrLink).get() == .runbook(id: "b", anchor: nil))
        #expect(try LinkTarget.parse("#x", as: .stepOrLink).get() == .heading(anchor: "x"))
        #expect(try LinkTarget.parse("outage", as: .runbook).get() == .runbook(id: "outage", anchor: nil))
        #expect(try LinkTarget.parse("outage.md#a", as: .runbook).get() == .runbook(id: "outage", anchor: "a"))
        for text in ["a#b", "two words", "https://x"] {
            #expect(throws: LinkTargetError.self, "\(text)") { try LinkTarget.parse(text, as: .stepOrLink).get() }
            #expect(throws: LinkTargetError.self, "\(text)") { try LinkTarget.parse(text, as: .runbook).get() }
        }
        // A nested id is a runbook for `open`, never a step id.
        #expect(throws: LinkTargetError.self) { try LinkTarget.parse("a/b", as: .stepOrLink).get() }
        #expect(try LinkTarget.parse("alerts/a/b", as: .runbook).get() == .runbook(id: "alerts/a/b", anchor: nil))
        #expect(throws: LinkTargetError.self) { try LinkTarget.parse("#x", as: .runbook).get() }
    }
}
