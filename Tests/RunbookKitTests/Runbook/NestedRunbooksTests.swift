import Foundation
import RunbookTestSupport
import Testing

@testable import RunbookKit

/// Runbooks in subdirectories: links relative to the linking file, for the linter and for sessions, and the
/// escalation policy's lookup order.
@Suite struct NestedRunbooksTests {
    func makeDirectory(_ files: [String: String]) throws -> String {
        try ScratchRunbooks.tree(files, prefix: "nested")
    }

    static let tree = [
        "alerts/x/y.md": "# Y\n\n- [Debug](../../helpers/podDebug.md#check-logs)\n- [Sibling](z.md)\n",
        "alerts/x/z.md": "# Z\n",
        "helpers/podDebug.md": "# Pod debug\n\n## Check logs\n\n```bash {risk=read}\necho logs\n```\n",
    ]

    @Test func linksResolveRelativeToTheLinkingFileForTheLinter() throws {
        let directory = try makeDirectory(Self.tree)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // (The directory has no escalation policy: one note, never a finding.)
        #expect(Linter().lint(paths: [directory]).diagnostics.filter { $0.severity != .note }.isEmpty)

        // The same link from the top of the tree leads nowhere, and the finding says where it looked.
        try Data("# Top\n\n- [Debug](../../helpers/podDebug.md)\n".utf8).write(
            to: URL(fileURLWithPath: directory + "/top.md"))
        let findings = Linter().lint(paths: [directory]).diagnostics.filter { $0.severity != .note }
        let resolved = RunbookCatalog.normalized(directory + "/../../helpers/podDebug.md")
        #expect(
            findings.map(\.message) == ["link to missing runbook `../../helpers/podDebug.md` (\(resolved))"])
        #expect(findings.first?.location.file == directory + "/top.md")
    }

    @Test func aLinkInASessionLeadsToTheFileItNames() throws {
        let directory = try makeDirectory(Self.tree)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let loader = try RunbookDirectoryLoader(directory: directory)
        let y = try loader.runbook(id: "alerts/x/y")
        #expect(try loader.runbook(linkedAs: "../../helpers/podDebug", from: y).id == "helpers/podDebug")
        #expect(try loader.runbook(linkedAs: "z", from: y).id == "alerts/x/z")
        let missing = try #require(throws: RunbookCatalogError.self) {
            try loader.runbook(linkedAs: "helpers/podDebug", from: y)
        }
        #expect(missing.summary.contains(directory + "/alerts/x/helpers/podDebug.md, which does not exist"))
        // A short id works as well as the full one.
        #expect(try loader.runbook(id: "podDebug").id == "helpers/podDebug")
    }

    @Test func aLinkOutOfTheRunbooksDirectoryIsNamedByItsAbsolutePathAndFoundAgain() throws {
        let directory = try makeDirectory(["runbooks/a.md": "# A\n", "shared/b.md": "# B\n"])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let loader = try RunbookDirectoryLoader(directory: directory + "/runbooks")
        let b = try loader.runbook(linkedAs: "../shared/b", from: loader.runbook(id: "a"))
        let expected = RunbookCatalog.canonical(directory + "/shared") + "/b"
        #expect(b.id == expected)
        // What a resume does with the recorded id.
        #expect(try RunbookDirectoryLoader(directory: directory + "/runbooks").runbook(id: expected).title == "B")
    }

    // MARK: escalation policy lookup

    @Test func theConfigurationDirectoryFollowsXDG() {
        #expect(
            ConfigurationDirectory.path(environment: ["XDG_CONFIG_HOME": "/x/config", "HOME": "/h"])
                == "/x/config/runbook")
        // A relative XDG_CONFIG_HOME is invalid and ignored.
        #expect(
            ConfigurationDirectory.path(environment: ["XDG_CONFIG_HOME": "config", "HOME": "/h"])
                == "/h/.config/runbook")
        #expect(ConfigurationDirectory.path(environment: ["HOME": "/h"]) == "/h/.config/runbook")
    }

    @Test func theRunbooksDirectoryWinsThenTheConfigurationDirectory() throws {
        let directory = try makeDirectory([
            "runbooks/a.md": "# A\n", "bare/a.md": "# A\n", "runbooks/escalation.md": "# E\n",
            "config/runbook/escalation.md": "# E\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let environment = ["XDG_CONFIG_HOME": directory + "/config"]
        #expect(
            EscalationPolicyLookup.path(runbooksDirectory: directory + "/runbooks", environment: environment)
                == directory + "/runbooks/escalation.md")
        #expect(
            EscalationPolicyLookup.path(runbooksDirectory: directory + "/bare", environment: environment)
                == directory + "/config/runbook/escalation.md")
        #expect(
            EscalationPolicyLookup.path(runbooksDirectory: directory + "/bare", environment: ["HOME": "/nonexistent"])
                == nil)
        // The linter notes a directory without a policy once, and never counts it.
        let report = Linter().lint(paths: [directory + "/bare"], environment: ["HOME": "/nonexistent"])
        #expect(report.noteCount == 1 && report.diagnostics.count == 1)
        #expect(report.diagnostics.first?.message.hasPrefix("no escalation policy (neither ") == true)
        #expect(report.strict().exitStatus == .success)
        #expect(Linter().lint(paths: [directory + "/bare"], environment: environment).diagnostics.isEmpty)
    }
}
