import Foundation
import Testing

@testable import RunbookKit

@Suite struct RunbookCatalogTests {
    func makeDirectory(_ files: [String: String]) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("catalog-\(UUID().uuidString)")
        for (name, text) in files {
            let url = directory.appendingPathComponent(name)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        return directory.path
    }

    @Test func loadsTopLevelRunbooksSortedByIDAndSkipsReadmeAndSubdirectories() throws {
        let directory = try makeDirectory([
            "zeta.md": "# Zeta\n", "alpha.md": "---\nid: alpha\nseverity: P2\n---\n# Alpha\n",
            "README.md": "# Readme\n",
            "simulator/fake.md": "# Not a runbook\n", "notes.txt": "x",
        ])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let catalog = try RunbookCatalog(directory: directory)
        #expect(catalog.ids == ["alpha", "zeta"])
        #expect(try catalog.runbook(id: "alpha").severity == .p2)
        #expect(try catalog.runbook(id: "zeta.md").title == "Zeta")
    }

    @Test func filePathsAreJoinedAsNSStringJoinsThemHoweverTheDirectoryIsSpelled() throws {
        let directory = try makeDirectory(["b.md": "# B\n", "a.md": "# A\n", "dir.md/x.md": "# not a file\n"])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let parent = (directory as NSString).deletingLastPathComponent
        let name = (directory as NSString).lastPathComponent
        // Absolute spellings only: tests run in parallel, so none may change the working directory.
        for spelling in [directory, directory + "/", directory + "//", parent + "//" + name, parent + "/./" + name] {
            let expected = ["a.md", "b.md"].map { (spelling as NSString).appendingPathComponent($0) }
            #expect(try RunbookCatalog.runbookFiles(in: spelling) == expected, "\(spelling)")
        }
    }

    @Test func listingFollowsLinksAndSkipsDirectoriesHiddenFilesAndReadmes() throws {
        let directory = try makeDirectory([
            "a.md": "# A\n", "B.MD": "# B\n", "readme.Md": "# no\n", ".hidden.md": "# no\n", "notes.txt": "x",
            "sub.md/inner.md": "# no\n", "dépannage.md": "# D\n", "target/t.md": "# T\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let files = FileManager.default
        try files.createSymbolicLink(atPath: directory + "/link.md", withDestinationPath: directory + "/a.md")
        try files.createSymbolicLink(atPath: directory + "/dirlink.md", withDestinationPath: directory + "/target")
        try files.createSymbolicLink(atPath: directory + "/dangling.md", withDestinationPath: directory + "/gone.md")
        let expected = ["B.MD", "a.md", "dépannage.md", "link.md"].map { directory + "/" + $0 }
        #expect(try RunbookCatalog.runbookFiles(in: directory) == expected)
        // The catalog reads the same files.
        #expect(try RunbookCatalog(directory: directory).runbooks.map(\.path).sorted() == expected)
        #expect(throws: RunbookCatalogError.self) { try RunbookCatalog.runbookFiles(in: directory + "/a.md") }
    }

    @Test(arguments: [
        ("a.md", true), ("A.MD", true), ("x.Md", true), ("é.md", true), ("RÉADME.md", true), ("readme.md.md", true),
        ("README.md", false), ("readme.md", false), ("ReadMe.MD", false), (".md", false), (".x.md", false),
        ("md", false), ("x.mdx", false), ("x.txt", false), ("a.m", false), ("", false),
    ])
    func runbookNamesEndInMarkdownAndAreNeitherHiddenNorTheReadme(name: String, isRunbook: Bool) {
        #expect(RunbookCatalog.isRunbookName(name) == isRunbook)
    }

    @Test func aMissingRunbookListsTheAvailableOnes() throws {
        let directory = try makeDirectory(["outage.md": "# Outage\n", "database.md": "# Database\n"])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let catalog = try RunbookCatalog(directory: directory)
        let error = try #require(throws: RunbookCatalogError.self) { try catalog.runbook(id: "outgae") }
        #expect(error.hint?.contains("available: database, outage") == true)
        #expect(error.exitStatus == .usage)
    }

    @Test func aBrokenRunbookDoesNotHideTheOthers() throws {
        let directory = try makeDirectory([
            "good.md": "# Good\n", "bad.md": "# Bad\n\n```bash {timeout=soon}\nx\n```\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let catalog = try RunbookCatalog(directory: directory)
        #expect(catalog.ids == ["good"])
        let error = try #require(throws: RunbookParseError.self) { try catalog.runbook(id: "bad") }
        #expect(error.location?.line == 3)
    }

    @Test func aMissingDirectoryIsAUsageError() throws {
        #expect(throws: RunbookCatalogError.self) { try RunbookCatalog(directory: "/nonexistent/runbooks") }
    }

    @Test func escalationPolicyComesFromEscalationMD() throws {
        let directory = try makeDirectory([
            "escalation.md":
                "| Severity | Description | Response Time | Escalation |\n|--|--|--|--|\n| P1 | x | 30 minutes | DevOps Lead |\n"
        ])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(try RunbookCatalog(directory: directory).escalationPolicy().rule(for: .p1)?.targets == ["DevOps Lead"])
    }
}
