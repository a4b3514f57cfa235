import Foundation
import RunbookTestSupport
import Testing
import Yams

@testable import RunbookKit

/// The fast front matter reader must give exactly what Yams gives, marks included, or step aside.
@Suite struct FrontMatterFastPathTests {
    /// Every Markdown file of the bundled runbooks and of the test fixtures.
    static let runbookFiles: [URL] = {
        let root = BuiltBinary.packageRoot
        let directories =
            ["runbooks"] + [
                "Tests/RunbookCLITests/Fixtures/broken", "Tests/RunbookCLITests/Fixtures/show",
                "Tests/RunbookCLITests/Fixtures/session", "Tests/RunbookCLITests/Fixtures/timers",
            ]
        return directories.flatMap { directory -> [URL] in
            let url = root.appendingPathComponent(directory)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
            return names.filter { $0.hasSuffix(".md") }.sorted().map { url.appendingPathComponent($0) }
        }
    }()

    static func yams(_ yaml: String) throws -> FrontMatterNode? {
        try Yams.compose(yaml: yaml).map(FrontMatterNode.init(yams:))
    }

    static func frontMatter(of url: URL) throws -> Substring? {
        let text = try String(contentsOf: url, encoding: .utf8)
        guard let split = FrontMatter.split(Substring(text)), split.closed else { return nil }
        return split.yaml
    }

    @Test func bundledRunbooksAreReadByTheFastPathExactlyAsYamsReadsThem() throws {
        let bundled = Self.runbookFiles.filter { $0.path.contains("/runbooks/") && $0.lastPathComponent != "README.md" }
        #expect(bundled.count >= 15)
        for url in bundled {
            let yaml = try #require(try Self.frontMatter(of: url), "\(url.lastPathComponent) has front matter")
            let fast = SimpleYAMLReader.read(yaml)
            #expect(fast != nil, "the fast path should read \(url.lastPathComponent)")
            #expect(fast == (try Self.yams(String(yaml))), "\(url.lastPathComponent)")
        }
    }

    @Test func everyRunbookAndFixtureGivesTheSameFrontMatterAndDiagnosticsBothWays() throws {
        var compared = 0
        for url in Self.runbookFiles {
            guard let yaml = try Self.frontMatter(of: url) else { continue }
            let path = url.lastPathComponent
            let fast = FrontMatter.parse(yaml: yaml, firstLine: 2, path: path, reading: .fastPathFirst)
            let slow = FrontMatter.parse(yaml: yaml, firstLine: 2, path: path, reading: .yamsOnly)
            #expect(fast.0 == slow.0, "\(path)")
            #expect(fast.1 == slow.1, "\(path)")
            compared += 1
        }
        #expect(compared >= 18)
    }

    /// YAML the fast path must read, each compared with Yams node for node.
    static let subset: [String] = [
        "title: Outage\n",
        "title: Outage\nid: outage\nseverity: P1\nshell: bash\n",
        "title: \"Outage: candlefish.ai is down\"\n",
        "title: 'single quoted'\n",
        "title: Pod's name with a #hash inside\n",
        "title: text   # a comment\n",
        "# a comment first\n\ntitle: x\n  \n# and after\n",
        "environments: [production, staging, development]\n",
        "environments: []\nchoices: {}\n",
        "environments: [ production ,  \"staging\" , 'dev' ]\n",
        "environments: production, staging\n",
        "variables:\n  NAMESPACE:\n    prompt: Kubernetes namespace\n    pattern: \"^[a-z0-9-]+$\"\n",
        "variables:\n  NS:\n    default: {production: candlefish-prod, staging: \"https://x.y\"}\n  B: plain\n",
        "variables:\n  R: {prompt: \"Replicas\", default: \"10\", pattern: \"^[0-9]+$\"}\n",
        "variables:\n  D: {prompt: Deployment, choices: [website, backend-api], default: website}\n",
        "variables:\n    DEEP:\n         secret: true\n         other: yes\n         more: Off\n",
        "variables:\n  S: {secret: \"true\", plain: true, n: null, t: ~, q: 'null'}\n",
        "title: Déjà vu — café…\nid: ünïcode\n",
        "variables:\n  X: {prompt: \"Déjà — vu\", default: ok}\n",
        "title: http://example.com/a:b\n",
        "title: a,b [c] {d}\n",
        "count: 10\nratio: 1.5\nwhen: 2024-01-01\nflag: TRUE\n",
        "variables:\n  A:\n    prompt: a\ntitle: after the nested block\n",
        "environments: [a, [b, {c: d}]]\n",
        // Twenty keys: past the point where repeated keys are looked for in a set rather than a list.
        (1...20).map { "key\($0): \($0)\n" }.joined(),
        "m: {" + (1...20).map { "k\($0): v" }.joined(separator: ", ") + "}\n",
    ]

    @Test(arguments: subset) func subsetIsReadAsYamsReadsIt(_ yaml: String) throws {
        let fast = try #require(SimpleYAMLReader.read(Substring(yaml)), "fast path declined:\n\(yaml)")
        #expect(fast == (try Self.yams(yaml)))
    }

    /// YAML outside the subset: the fast path must decline (Yams then reads it, with its own errors).
    static let outside: [String] = [
        "",
        "# only a comment\n",
        "title:\n",
        "title: \"escaped \\\" quote\"\n",
        "title: 'it''s'\n",
        "title: \"not closed\n",
        "title: |\n  block\n",
        "title: >\n  folded\n",
        "title: &anchor x\nid: *anchor\n",
        "title: !!str x\n",
        "title: a: b\n",
        "title: a\n  continued on the next line\n",
        "title: x\ntitle: y\n",
        "environments: [a, b,]\n",
        "environments: [a, b\n",
        "environments:\n  - production\n",
        "- a\n- b\n",
        "  indented: root\n",
        "title:\tx\n",
        "title: x\r\nid: y\r\n",
        "key with spaces: x\n",
        "\"quoted key\": x\n",
        "title: x\n bad: indentation\n",
        "variables:\n  A:\n    p: 1\n   q: 2\n",
        "variables:\n  A: {p: a:b}\n",
        "variables:\n  A: {p}\n",
        "variables:\n  A: {p: 1, p: 2}\n",
        (1...20).map { "key\($0): \($0)\n" }.joined() + "key3: again\n",
        (1...20).map { "key\($0): \($0)\n" }.joined() + "key20: again\n",
        "m: {" + (1...20).map { "k\($0): v" }.joined(separator: ", ") + ", k17: again}\n",
        "title: \"x\"trailing\n",
        "title: emoji 🚀\n",
        "---\n",
        "? complex\n: key\n",
        "title: -1\n",
        "%YAML 1.2\n---\ntitle: x\n",
    ]

    @Test(arguments: outside) func otherYAMLIsLeftToYams(_ yaml: String) {
        #expect(SimpleYAMLReader.read(Substring(yaml)) == nil, "should decline:\n\(yaml)")
    }

    @Test(arguments: subset + outside) func bothWaysGiveTheSameResultsAndMessages(_ yaml: String) {
        let fast = FrontMatter.parse(yaml: Substring(yaml), firstLine: 2, path: "x.md", reading: .fastPathFirst)
        let slow = FrontMatter.parse(yaml: Substring(yaml), firstLine: 2, path: "x.md", reading: .yamsOnly)
        #expect(fast.0 == slow.0)
        #expect(fast.1 == slow.1)
    }

    @Test func invalidPatternsAreReportedEveryTimeNotJustTheFirst() {
        let yaml: Substring = "variables:\n  A: {pattern: \"([a-z\"}\n"
        for _ in 0..<2 {
            let (_, diagnostics) = FrontMatter.parse(yaml: yaml, firstLine: 2, path: "x.md")
            #expect(diagnostics.map(\.message) == ["pattern of `A` is not a valid regular expression"])
        }
    }

    // MARK: Splitting the front matter from the body

    static let documents: [String] = [
        "---\ntitle: x\n---\n# Body\n",
        "---\ntitle: x\n...\nbody\n",
        "---  \t\ntitle: x\n---\n",
        "--- \u{00A0}\ntitle: x\n---\nbody\n",
        "---\u{0301}\ntitle: x\n---\n",
        "---\r\ntitle: x\r\n---\r\nbody\r\n",
        "---\ntitle: x\r\n---\r\nbody\n",
        "---\ntitle: x\n---\r",
        "---\ntitle: x\n",
        "---",
        "----\ntitle: x\n---\n",
        "# no front matter\n---\n",
        "---\ntitle: é\n--- \n---\nbody",
    ]

    @Test(arguments: documents) func splittingByBytesMatchesSplittingByCharacters(_ text: String) {
        let bytes = FrontMatter.split(Substring(text))
        let characters = FrontMatter.splitByCharacters(Substring(text))
        #expect(bytes?.yaml == characters?.yaml)
        #expect(bytes?.body == characters?.body)
        #expect(bytes?.bodyLineOffset == characters?.bodyLineOffset)
        #expect(bytes?.closed == characters?.closed)
    }
}
