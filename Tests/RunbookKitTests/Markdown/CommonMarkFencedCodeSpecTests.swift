import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

@testable import RunbookKit

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The CommonMark spec's examples for fenced code blocks, read from cmark-gfm's own test data
/// (`/usr/share/doc/cmark-gfm/spec.txt.gz`, installed with the `cmark-gfm` package), must give exactly the
/// code blocks the `cmark-gfm` program reports: a step is what GitHub renders as a fenced code block.
@Suite struct CommonMarkFencedCodeSpecTests {
    static let specPath = "/usr/share/doc/cmark-gfm/spec.txt.gz"

    /// One spec example: its number in the section and its Markdown (spec arrows turned back into tabs).
    struct Example: CustomTestStringConvertible, Sendable {
        var number: Int
        var markdown: String
        var testDescription: String { "fenced code example \(number)" }
    }

    /// A code block as both sides report it.
    struct Block: Equatable, CustomStringConvertible {
        var info: String
        var literal: String
        var description: String { "info=\(info.debugDescription) literal=\(literal.debugDescription)" }
    }

    static func examples() -> [Example] {
        guard let spec = try? run("/bin/sh", ["-c", "zcat \(specPath)"], input: nil), !spec.isEmpty else { return [] }
        var examples: [Example] = []
        var inSection = false
        var current: [String]?
        var inMarkdownPart = false
        for line in spec.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("## ") { inSection = line == "## Fenced code blocks" }
            guard inSection else { continue }
            if line.hasPrefix("````````````````````````````````") && line.hasSuffix("example") {
                current = []
                inMarkdownPart = true
            } else if line == "````````````````````````````````", let lines = current {
                examples.append(
                    Example(
                        number: examples.count + 1,
                        markdown: lines.joined(separator: "\n").replacingOccurrences(of: "→", with: "\t") + "\n"))
                current = nil
            } else if current != nil, inMarkdownPart {
                if line == "." { inMarkdownPart = false } else { current?.append(String(line)) }
            }
        }
        return examples
    }

    @Test func specExamplesAreAvailable() throws {
        try #require(FileManager.default.fileExists(atPath: Self.specPath), "install the cmark-gfm package")
        #expect(Self.examples().count >= 25)
    }

    @Test(arguments: examples())
    func codeBlocksMatchCmarkGFM(example: Example) throws {
        let expected = try Self.cmarkBlocks(example.markdown)
        let document = MarkdownDocument(text: example.markdown)
        var actual: [Block] = []
        func walk(_ node: MarkdownNode) {
            if node.kind == .codeBlock {
                actual.append(Block(info: node.fenceInfo ?? "", literal: node.literal ?? ""))
            }
            for child in node.children { walk(child) }
        }
        walk(document.root)
        #expect(actual == expected, "example \(example.number):\n\(example.markdown)")
    }

    @Test(arguments: examples())
    func runbookParserTakesOnlyShellFencesAsSteps(example: Example) throws {
        // Whatever the fence looks like, the parser never crashes and makes steps only of blocks whose language
        // (the info string's first word) is a shell.
        let shellBlocks = try Self.cmarkBlocks(example.markdown).filter {
            ["bash", "sh", "shell", "zsh"].contains($0.info.split(separator: " ").first.map(String.init) ?? "")
        }
        let runbook = try RunbookParser.parse(data: Data(example.markdown.utf8), path: "example.md")
        #expect(runbook.steps.count == shellBlocks.count)
    }

    /// The code blocks `cmark-gfm -t xml` reports, in document order.
    static func cmarkBlocks(_ markdown: String) throws -> [Block] {
        let xml = try run("/usr/bin/env", ["cmark-gfm", "-t", "xml"], input: markdown)
        let collector = CodeBlockCollector()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.delegate = collector
        #expect(parser.parse(), "cmark-gfm printed XML that does not parse")
        return collector.blocks
    }

    static func run(_ executable: String, _ arguments: [String], input: String?) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        ProcessRunner.ignoreBrokenPipes()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        let data = DescriptorReading.readToEnd(stdout.fileHandleForReading)
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

/// Collects `<code_block info="…">text</code_block>` elements from cmark's XML.
private final class CodeBlockCollector: NSObject, XMLParserDelegate {
    var blocks: [CommonMarkFencedCodeSpecTests.Block] = []
    private var current: CommonMarkFencedCodeSpecTests.Block?

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        if elementName == "code_block" { current = .init(info: attributes["info"] ?? "", literal: "") }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        current?.literal += string
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        if elementName == "code_block", let block = current {
            blocks.append(block)
            current = nil
        }
    }
}
