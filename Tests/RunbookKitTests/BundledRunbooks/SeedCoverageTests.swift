import Foundation
import RunbookTestSupport
import Testing

/// The bundled runbooks keep every command of the Candlefish seed, or say in `runbooks/seed-coverage.tsv` why not.
@Suite struct SeedCoverageTests {
    static let runbooksDirectory = BuiltBinary.packageRoot.appendingPathComponent("runbooks")
    /// The committed copy of `../shared/seed/000_323714453c6646bd.txt`, so the test needs no sibling folder.
    static let seedCopy = BuiltBinary.packageRoot.appendingPathComponent(
        "Tests/RunbookKitTests/BundledRunbooks/seed.txt")
    static let sharedSeed = BuiltBinary.packageRoot.deletingLastPathComponent().appendingPathComponent(
        "shared/seed/000_323714453c6646bd.txt")

    let seed: String
    let runbooks: [String: String]
    let coverage: SeedCoverage

    init() throws {
        seed = try String(contentsOf: Self.seedCopy, encoding: .utf8)
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.runbooksDirectory.path)
            .filter { $0.hasSuffix(".md") }
        var runbooks: [String: String] = [:]
        for name in names {
            runbooks[name] = try String(
                contentsOf: Self.runbooksDirectory.appendingPathComponent(name), encoding: .utf8)
        }
        self.runbooks = runbooks
        coverage = try SeedCoverage(
            mapping: String(
                contentsOf: Self.runbooksDirectory.appendingPathComponent("seed-coverage.tsv"), encoding: .utf8))
    }

    @Test func everySeedCommandAppearsInABundledRunbookOrIsOmittedWithAReason() {
        let report = coverage.check(seed: seed, runbooks: Array(runbooks.values))
        #expect(
            report.missing.isEmpty,
            """
            \(report.missing.count) seed command line(s) appear in no runbook's shell blocks; add them to a runbook, \
            a substitution, or an omission with a reason in runbooks/seed-coverage.tsv:
            \(report.missing.joined(separator: "\n"))
            """)
        // The seed has about a hundred command lines; far fewer means the extraction itself broke.
        #expect(report.covered.count + report.omitted.count > 90)
    }

    @Test func aRunbookThatLosesACommandFailsTheCheck() throws {
        let rollback = try #require(runbooks["rollback.md"])
        let lost = #"helm rollback "$RELEASE" "$REVISION" -n "$NAMESPACE""#
        #expect(rollback.contains(lost))
        var damaged = runbooks
        damaged["rollback.md"] = rollback.replacingOccurrences(of: lost, with: "")

        let report = coverage.check(seed: seed, runbooks: Array(damaged.values))

        #expect(report.missing == ["helm rollback candlefish-prod 3 -n candlefish-prod"])
    }

    @Test func aLostCommandInsideTheEmergencyLoopIsNoticedToo() throws {
        let rollback = try #require(runbooks["rollback.md"])
        let lost = "kubectl rollout status deployment/$deployment -n $NAMESPACE --timeout=300s"
        var damaged = runbooks
        damaged["rollback.md"] = rollback.replacingOccurrences(of: lost, with: "true")

        let report = coverage.check(seed: seed, runbooks: Array(damaged.values))

        #expect(report.missing == [lost])
    }

    @Test func everyOmissionNamesASeedLineAndGivesAReason() {
        let seedLines = Set(SeedCoverage.seedCommandLines(seed))
        #expect(!coverage.omissions.isEmpty)
        for omission in coverage.omissions {
            #expect(seedLines.contains(omission.seedLine), "not a seed command line: \(omission.seedLine)")
            #expect(omission.reason.split(separator: " ").count >= 8, "give a real reason for: \(omission.seedLine)")
        }
    }

    @Test func everySubstitutionIsUsedByARunbook() {
        let lines = runbooks.values.flatMap(SeedCoverage.runbookCommandLines)
        for (token, _) in coverage.substitutions {
            #expect(lines.contains { $0.contains(token) }, "no runbook command uses \(token)")
        }
    }

    @Test func joinsContinuationsAndSkipsCommentsAndOtherLanguages() {
        let text = """
            ---
            title: x
            ---
            ```yaml
            kubectl not-a-command
            ```
            ```bash {id=a risk=read}
            # a comment
            kubectl exec -n x deployment/y -- \\
              python -c "print(1)"

                kubectl   get pods
            ```
            """
        #expect(
            SeedCoverage.runbookCommandLines(text) == [
                #"kubectl exec -n x deployment/y -- python -c "print(1)""#, "kubectl get pods",
            ])
    }

    @Test(
        .enabled(if: FileManager.default.fileExists(atPath: sharedSeed.path), "needs ../shared/seed beside the package")
    )
    func committedSeedCopyMatchesTheSharedSeed() throws {
        #expect(try String(contentsOf: Self.sharedSeed, encoding: .utf8) == seed)
    }
}
