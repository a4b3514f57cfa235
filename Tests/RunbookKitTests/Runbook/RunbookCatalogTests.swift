import Foundation
import RunbookTestSupport
import Testing

@testable import RunbookKit

@Suite struct RunbookCatalogTests {
    func makeDirectory(_ files: [String: String]) throws -> String {
        try ScratchRunbooks.tree(files, prefix: "catalog")
    }

    @Test func loadsRunbooksOfTheTreeSortedByIDAndSkipsReadmes() throws {
        let directory = try makeDirectory([
            "zeta.md": "# Zeta\n", "alpha.md": "---\nid: alpha\nseverity: P2\n---\n# Alpha\n",
            "README.md": "# Readme\n", "simulator/README.md": "# Readme\n",
            "alerts/etcd/EtcdDown.md": "# Etcd down\n", "notes.txt": "x",
        ])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let catalog = try RunbookCatalog(directory: directory)
        #expect(catalog.ids == ["alerts/etcd/EtcdDown", "alpha", "zeta"])
        #expect(try catalog.runbook(id: "alpha").severity == .p2)
        #expect(try catalog.runbook(id: "zeta.md").title == "Zeta")
    }

    @Test func filePathsAreJoinedAsNSStringJoinsThemHoweverTheDirectoryIsSpelled() throws {
        let directory = try makeDirectory(["b.md": "# B\n", "a.md": "# A\n", "dir.md/x.md": "# in a directory\n"])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let parent = (directory as NSString).deletingLastPathComponent
        let name = (directory as NSString).lastPathComponent
        // Absolute spellings only: tests run in parallel, so none may change the working directory.
        for spelling in [directory, directory + "/", directory + "//", parent + "//" + name, parent + "/./" + name] {
            let expected = ["a.md", "b.md", "dir.md/x.md"].map { (spelling as NSString).appendingPathComponent($0) }
            #expect(try RunbookCatalog.runbookFiles(in: spelling) == expected, "\(spelling)")
        }
    }

    @Test func listingFollowsLinksOnceAndSkipsHiddenFilesAndReadmes() throws {
        let directory = try makeDirectory([
            "a.md": "# A\n", "B.MD": "# B\n", "readme.Md": "# no\n", ".hidden.md": "# no\n", "notes.txt": "x",
            "sub.md/inner.md": "# I\n", "dépannage.md": "# D\n", "target/t.md": "# T\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let files = FileManager.default
        try files.createSymbolicLink(atPath: directory + "/link.md", withDestinationPath: directory + "/a.md")
        // A link to a directory is read once, under the first name met (`dirlink.md` sorts before `target`).
        try files.createSymbolicLink(atPath: directory + "/dirlink.md", withDestinationPath: directory + "/target")
        try files.createSymbolicLink(atPath: directory + "/dangling.md", withDestinationPath: directory + "/gone.md")
        let expected = ["B.MD", "a.md", "dirlink.md/t.md", "dépannage.md", "link.md", "sub.md/inner.md"].map {
            directory + "/" + $0
        }
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
        let path = try #require(EscalationPolicyLookup.path(runbooksDirectory: directory, environment: [:]))
        #expect(try EscalationPolicyLookup.policy(at: path).rule(for: .p1)?.targets == ["DevOps Lead"])
    }

    // MARK: Directories and ids

    @Test func hiddenDirectoriesNodeModulesAndLinkLoopsAreNotRead() throws {
        let directory = try makeDirectory([
            "a.md": "# A\n", ".git/x.md": "# no\n", ".github/y.md": "# no\n", "node_modules/pkg/z.md": "# no\n",
            "docs/node_modules/w.md": "# no\n", "docs/d.md": "# D\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // A link back up the tree would be an endless walk if followed each time.
        try FileManager.default.createSymbolicLink(atPath: directory + "/docs/up", withDestinationPath: directory)
        try FileManager.default.createSymbolicLink(atPath: directory + "/docs/self", withDestinationPath: ".")
        #expect(try RunbookCatalog(directory: directory).ids == ["a", "docs/d"])
    }

    @Test func theWalkStopsAtTheDepthLimit() throws {
        let levels = (1...RunbookCatalog.maximumDepth).map { "l\($0)" }
        let deepest = levels.joined(separator: "/")
        let directory = try makeDirectory([deepest + "/in.md": "# In\n", deepest + "/l9/out.md": "# Out\n"])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(try RunbookCatalog(directory: directory).ids == [deepest + "/in"])
    }

    @Test func aUniqueFileNameIsAShortIDAndASharedOneListsTheCandidates() throws {
        let directory = try makeDirectory([
            "alerts/api/Status.md": "# API status\n", "alerts/db/Status.md": "# DB status\n",
            "alerts/db/DatabaseDown.md": "# Database down\n", "front.md": "---\nid: renamed\n---\n# F\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let catalog = try RunbookCatalog(directory: directory)
        #expect(try catalog.runbook(id: "DatabaseDown").id == "alerts/db/DatabaseDown")
        #expect(try catalog.runbook(id: "alerts/db/DatabaseDown.md").title == "Database down")
        #expect(try catalog.runbook(id: "alerts/api/Status").title == "API status")
        // A front-matter id is kept, and the file still finds it.
        #expect(try catalog.runbook(id: "front").id == "renamed")
        let error = try #require(throws: RunbookCatalogError.self) { try catalog.runbook(id: "Status") }
        #expect(error.isAmbiguous)
        #expect(error.hint == "use the full id: alerts/api/Status, alerts/db/Status")
    }

    @Test func aMistypedIDSuggestsTheClosest() throws {
        let directory = try makeDirectory([
            "alerts/db/DatabaseDown.md": "# Database down\n", "outage.md": "# Outage\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let catalog = try RunbookCatalog(directory: directory)
        let typo = try #require(throws: RunbookCatalogError.self) { try catalog.runbook(id: "DatabseDown") }
        #expect(typo.hint?.hasPrefix("did you mean `alerts/db/DatabaseDown`?") == true, "\(typo.hint ?? "")")
        let swapped = try #require(throws: RunbookCatalogError.self) { try catalog.runbook(id: "outgae") }
        #expect(swapped.hint?.hasPrefix("did you mean `outage`?") == true, "\(swapped.hint ?? "")")
        let far = try #require(throws: RunbookCatalogError.self) { try catalog.runbook(id: "kubernetes") }
        #expect(far.hint?.contains("did you mean") == false)
        // A long id is no excuse for a loose match.
        let long = try #require(throws: RunbookCatalogError.self) {
            try catalog.runbook(id: "alerts/db/DatabaseUpAndRunning")
        }
        #expect(long.hint?.contains("did you mean") == false, "\(long.hint ?? "")")
    }

    @Test func anIDIsThePathUnderTheDirectoryHoweverEitherIsSpelled() throws {
        let directory = try makeDirectory(["alerts/x/y.md": "# Y\n"])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(RunbookCatalog.id(ofFile: directory + "/alerts/x/y.md", under: directory) == "alerts/x/y")
        #expect(
            RunbookCatalog.id(ofFile: directory + "/alerts/../alerts/x/y.md", under: directory + "/") == "alerts/x/y")
        #expect(RunbookCatalog.id(ofFile: directory + "/alerts/x/y.md", under: directory + "/alerts") == "x/y")
        #expect(RunbookCatalog.id(ofFile: "/elsewhere/y.md", under: directory) == nil)
        #expect(RunbookCatalog.id(ofFile: directory + "2/y.md", under: directory) == nil)
    }

    @Test func anAddressIsAPathToAFileOrAnID() throws {
        let directory = try makeDirectory(["runbooks/alerts/x/y.md": "# Y\n", "elsewhere/z.md": "# Z\n"])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let runbooks = directory + "/runbooks"
        let inside = RunbookAddress(runbooks + "/alerts/x/y.md", runbooksDirectory: runbooks)
        #expect(inside == RunbookAddress(root: runbooks, id: "alerts/x/y", path: runbooks + "/alerts/x/y.md"))
        let outside = RunbookAddress(directory + "/elsewhere/z.md", runbooksDirectory: runbooks)
        #expect(outside == RunbookAddress(root: directory + "/elsewhere", id: "z", path: directory + "/elsewhere/z.md"))
        #expect(
            RunbookAddress("alerts/x/y", runbooksDirectory: runbooks)
                == RunbookAddress(root: runbooks, id: "alerts/x/y"))
        #expect(
            RunbookAddress("outage.md", runbooksDirectory: runbooks) == RunbookAddress(root: runbooks, id: "outage"))
        #expect(throws: RunbookCatalogError.self) {
            try RunbookAddress.resolve(directory + "/missing.md", runbooksDirectory: runbooks)
        }
    }

    @Test(arguments: [
        ("a/b/../c.md", "a/c.md"), ("./a/./b.md", "a/b.md"), ("../x.md", "../x.md"), ("a/../../x.md", "../x.md"),
        ("/a/../b.md", "/b.md"), ("/../b.md", "/b.md"), ("a//b.md", "a/b.md"),
    ])
    func aLinkedPathIsNormalizedByItsText(path: String, expected: String) {
        #expect(RunbookCatalog.normalized(path) == expected)
    }
}
