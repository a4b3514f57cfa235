import Foundation
import RunbookTestSupport
import Testing

@Suite struct RunbookCommandsEndToEndTests {
    static let fixtures = "Tests/RunbookCLITests/Fixtures/show"

    func temporaryDirectory(_ files: [String: Data]) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, data) in files { try data.write(to: directory.appendingPathComponent(name)) }
        return directory
    }

    @Test func listAsJSONCountsSteps() throws {
        let result = try BuiltBinary.run(["list", "--format", "json", "--runbooks", Self.fixtures])
        #expect(result.status == 0)
        let list = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]]
        #expect(list?.map { $0["id"] as? String } == ["database", "outage", "rollback"])
        #expect(
            list?.first { $0["id"] as? String == "outage" }?["steps"] as? Int == 8,
            "5 commands, 2 manual items, a choice")
    }

    @Test func runbookDirComesFromTheEnvironment() throws {
        let result = try BuiltBinary.run(["list"], environment: ["RUNBOOK_DIR": Self.fixtures])
        #expect(result.status == 0)
        #expect(result.stdout.contains("rollback"))
    }

    @Test func showOfAMissingRunbookIsAUsageErrorListingTheIDs() throws {
        let result = try BuiltBinary.run(["show", "outgae", "--runbooks", Self.fixtures])
        #expect(result.status == 2)
        #expect(result.stderr.contains("no runbook named `outgae`"))
        #expect(result.stderr.contains("available: database, outage, rollback"))
    }

    @Test func showOfABrokenRunbookPointsAtTheProblem() throws {
        let result = try BuiltBinary.run(["show", "Tests/RunbookCLITests/Fixtures/broken/attributes.md"])
        #expect(result.status == 2)
        #expect(
            result.stderr.hasPrefix("Tests/RunbookCLITests/Fixtures/broken/attributes.md:5:24: error: timeout `5x`"))
    }

    @Test func lintOfCleanRunbooksExitsZero() throws {
        let result = try BuiltBinary.run(["lint", "--strict", Self.fixtures])
        #expect(result.status == 0, "\(result.stdout)")
        #expect(
            result.stdout
                == "\(BuiltBinary.noEscalationPolicyNote(Self.fixtures))3 files checked, no problems (1 note)\n")
    }

    @Test func warningsFailOnlyWithStrict() throws {
        let directory = try temporaryDirectory([
            "w.md": Data("# W\n\n```bash {risk=read}\necho $UNDECLARED\n```\n".utf8)
        ])
        defer { try? FileManager.default.removeItem(at: directory) }
        let relaxed = try BuiltBinary.run(["lint", directory.path])
        #expect(relaxed.status == 0)
        #expect(relaxed.stdout.contains("w.md:4:6: warning: `$UNDECLARED` is not declared"))
        let strict = try BuiltBinary.run(["lint", "--strict", directory.path])
        #expect(strict.status == 1)
        #expect(strict.stdout.contains("w.md:4:6: error: `$UNDECLARED` is not declared"))
    }

    @Test func unreadableInputExitsTwo() throws {
        let directory = try temporaryDirectory([
            "binary.md": Data([0x7F, 0x45, 0x4C, 0x46, 0x00, 0x01]),
            "latin1.md": Data("# Caf".utf8) + Data([0xE9]) + Data("\n".utf8),
            "empty.md": Data(),
        ])
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try BuiltBinary.run(["lint", directory.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("binary.md looks like a binary file"))
        #expect(result.stderr.contains("latin1.md:1:6: error: \(directory.path)/latin1.md is not valid UTF-8"))
        #expect(result.stdout.contains("empty.md:1:1: warning: runbook has no title"))
        let missing = try BuiltBinary.run(["lint", "no/such/file.md"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no such file: no/such/file.md"))
    }

    @Test func tenMegabyteRunbookIsListedNotCrashedOn() throws {
        var text = "# Big\n\n"
        var count = 0
        while text.utf8.count < 10 * 1024 * 1024 {
            count += 1
            text +=
                "## Part \(count)\n\n" + String(repeating: "Guidance that fills the file. ", count: 60)
                + "\n\n```bash {risk=read}\necho \(count)\n```\n\n"
        }
        let directory = try temporaryDirectory(["big.md": Data(text.utf8)])
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try BuiltBinary.run(["list", "--format", "json", "--runbooks", directory.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("\"steps\":\(count)"))
    }

    @Test func badUsageExitsTwo() throws {
        #expect(try BuiltBinary.run(["lint", "--format", "xml"]).status == 2)
        #expect(try BuiltBinary.run(["show"]).status == 2)
        #expect(try BuiltBinary.run(["list", "--runbooks", "/nonexistent"]).status == 2)
    }
}
