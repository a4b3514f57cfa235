import Foundation
import RunbookTestSupport
import Testing

@testable import RunbookKit

/// Linting runs on every core: the report must be exactly what linting the files one by one gives, and cmark-gfm
/// (whose parses share a special-character table, only read with our extensions) must parse the same trees
/// under any number of threads.
@Suite struct ParallelLintTests {
    /// Every bundled runbook and every broken fixture, copied `copies` times into directories of their own.
    private static func corpus(copies: Int) throws -> (directory: String, files: [String]) {
        let root = NSTemporaryDirectory() + "parallel-lint-\(UUID().uuidString)"
        var files: [String] = []
        let sources = ["runbooks", "Tests/RunbookCLITests/Fixtures/broken"].map {
            BuiltBinary.packageRoot.appendingPathComponent($0).path
        }
        for copy in 0..<copies {
            for (index, source) in sources.enumerated() {
                let directory = "\(root)/\(copy)-\(index)"
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                for name in try FileManager.default.contentsOfDirectory(atPath: source) where name.hasSuffix(".md") {
                    try FileManager.default.copyItem(atPath: "\(source)/\(name)", toPath: "\(directory)/\(name)")
                    files.append("\(directory)/\(name)")
                }
            }
        }
        return (root, files.sorted())
    }

    @Test func aLargeDirectoryLintsAsItsFilesDoOneByOne() throws {
        let (root, files) = try Self.corpus(copies: 6)
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(files.count > 64, "enough files for several workers")
        let together = Linter().lint(paths: files)
        var diagnostics: [Diagnostic] = []
        var unreadable: [String] = []
        var checked = 0
        for file in files {
            let alone = Linter().lint(paths: [file])
            diagnostics += alone.diagnostics
            unreadable += alone.unreadable.map(\.description)
            checked += alone.filesChecked
        }
        #expect(together.filesChecked == checked)
        #expect(together.diagnostics == Diagnostic.sortedForOutput(diagnostics))
        #expect(together.unreadable.map(\.description) == unreadable)
        #expect(together.diagnostics.contains { $0.severity == .error }, "the broken fixtures have findings")
    }

    @Test func runsStartWhereTheDirectoryChangesWhenOneIsNear() {
        // Ten directories of ten files: the even split (25, 50, 75) moves to the next directory.
        let files = (0..<100).map { "/corpus/set-\($0 / 10)/file-\($0 % 10).md" }
        #expect(Linter.runStarts(files, runs: 4) == [0, 30, 50, 80])
        // Runs of 14: 14 and 28 move to 20 and 30, but 42 stays (50 is more than half a run away).
        #expect(Linter.runStarts(files, runs: 7).prefix(4) == [0, 20, 30, 42])
        // One directory: nothing to align to, so the split stays even and every run has work.
        let flat = (0..<100).map { "/corpus/file-\($0).md" }
        #expect(Linter.runStarts(flat, runs: 4) == [0, 25, 50, 75])
        // Relative paths without a directory count as one directory too.
        #expect(Linter.runStarts((0..<8).map { "f\($0).md" }, runs: 2) == [0, 4])
        #expect(Linter.runStarts(files, runs: 1) == [0])
    }

    @Test func cmarkParsesTheSameTreesOnManyThreads() throws {
        let text =
            try String(
                contentsOf: BuiltBinary.packageRoot.appendingPathComponent("runbooks/escalation.md"), encoding: .utf8)
            + "\n\n| a | b |\n|---|---|\n| `x \\| y` | ~z~ |\n\n- [ ] task\n- [x] done\n"
        @Sendable func tree() -> String {
            // Nodes borrow their document: it must outlive the walk.
            let document = MarkdownDocument(text: text)
            return withExtendedLifetime(document) { Self.describe(document.root) }
        }
        let expected = tree()
        let results = ResultBox()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<40 { results.add(tree()) }
        }
        #expect(results.count == 320)
        #expect(results.distinct == [expected])
    }

    /// Node types and literals, depth first.
    private static func describe(_ node: MarkdownNode) -> String {
        var out = "\(node.typeString)@\(node.startLine):\(node.startColumn)(\(node.literal ?? ""))"
        for child in node.children { out += "[" + describe(child) + "]" }
        return out
    }

    private final class ResultBox: @unchecked Sendable {
        private let lock = NSLock()
        private var all: [String] = []
        func add(_ value: String) { lock.withLock { all.append(value) } }
        var count: Int { lock.withLock { all.count } }
        var distinct: Set<String> { lock.withLock { Set(all) } }
    }
}
