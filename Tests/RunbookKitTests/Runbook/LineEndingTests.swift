import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// A runbook saved with CR LF line endings (Windows, some editors) means exactly what its LF copy means.
@Suite struct LineEndingTests {
    /// Every bundled runbook, in `runbooks/` and below.
    static let bundled: [String] = {
        let root = BuiltBinary.packageRoot.appendingPathComponent("runbooks")
        let files = FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String } ?? []
        return files.filter { $0.hasSuffix(".md") }.sorted().map { root.appendingPathComponent($0).path }
    }()

    @Test func thereAreBundledRunbooksToCompare() {
        #expect(Self.bundled.count >= 15, "\(Self.bundled)")
    }

    @Test(arguments: bundled)
    func aBundledRunbookWithCRLFParsesLikeItsLFCopy(_ path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(!text.contains("\r"), "the bundled file itself has CRs: \(path)")
        let lf = RunbookParser.parseWithDiagnostics(text: text, path: path)
        let crlf = RunbookParser.parseWithDiagnostics(
            text: text.replacingOccurrences(of: "\n", with: "\r\n"), path: path)
        #expect(crlf.runbook.items == lf.runbook.items, "\(path)")
        #expect(crlf.runbook.variables == lf.runbook.variables, "\(path)")
        #expect(crlf.runbook.environments == lf.runbook.environments, "\(path)")
        #expect(crlf.runbook.title == lf.runbook.title, "\(path)")
        #expect(crlf.runbook.severity == lf.runbook.severity, "\(path)")
        #expect(crlf.runbook == lf.runbook, "\(path)")
        #expect(crlf.diagnostics == lf.diagnostics, "\(path)")
    }

    @Test func crlfFrontMatterKeepsEnvironmentsAndSecrets() throws {
        let text = [
            "---", "title: Rollback", "environments: [staging]", "variables:", "  TOKEN: {secret: true}", "---",
            "# Rollback", "", "```bash {risk=read}", "echo \"$TOKEN\"", "```", "",
        ].joined(separator: "\r\n")
        let runbook = try RunbookParser.parse(data: Data(text.utf8), path: "rollback.md")
        #expect(runbook.environments == ["staging"])
        #expect(runbook.variables.map(\.name) == ["TOKEN"])
        #expect(runbook.variables.first?.secret == true)
        #expect(runbook.steps.first?.command == "echo \"$TOKEN\"")
    }

    @Test func aLoneCREndsALineAsCommonMarkSays() throws {
        let runbook = try RunbookParser.parse(
            data: Data("---\rtitle: T\r---\r# T\r\r```bash\recho shown\rrm -rf /tmp/x\r```\r".utf8), path: "t.md")
        #expect(runbook.title == "T")
        #expect(runbook.steps.first?.command == "echo shown\nrm -rf /tmp/x")
        #expect(runbook.steps.first?.location.line == 6)
    }
}
