import Foundation
import RunbookTestSupport
import Testing

@testable import RunbookKit

/// Seeded random-mutation fuzzing of the runbook parser, the linter and the fence attribute parser.
///
/// The corpus is the bundled runbooks. Each input is a mutation of one (byte flips, insertions of the tokens
/// that steer the parser, deletions, duplications, splices of two files). A crash fails the run; an input
/// that takes longer than the hang limit is written to the temporary directory and reported.
/// CI runs `RUNBOOK_FUZZ_ITERATIONS` inputs (default 2,000); `scripts/fuzz` runs the long variant through the
/// release-built `runbook-fuzz`, with the same `ParserFuzzer`.
@Suite struct ParserFuzzTests {
    static var iterations: Int {
        Int(ProcessInfo.processInfo.environment["RUNBOOK_FUZZ_ITERATIONS"] ?? "") ?? 2_000
    }
    static var seed: UInt64 {
        UInt64(ProcessInfo.processInfo.environment["RUNBOOK_FUZZ_SEED"] ?? "") ?? 0x5EED_2026
    }

    @Test func mutatedRunbooksNeverCrashOrHang() throws {
        let corpus = try ParserFuzzer.corpus(directory: BuiltBinary.packageRoot.appendingPathComponent("runbooks").path)
        try #require(corpus.count >= 10)
        let report = try ParserFuzzer.runbooks(iterations: Self.iterations, seed: Self.seed, corpus: corpus)
        #expect(report.parsed + report.rejected == Self.iterations)
        #expect(report.silentErrors == 0)
        #expect(report.hangs.isEmpty, "\(report.hangs)")
        print(
            "fuzz: runbook parser: \(Self.iterations) inputs (seed \(Self.seed)), \(report.parsed) parsed, "
                + "\(report.rejected) rejected")
    }

    /// The hang detector can fire: with no CPU time allowed, every input is reported and saved.
    @Test func anInputOverTheCPULimitIsReportedAndSaved() throws {
        let corpus = try ParserFuzzer.corpus(directory: BuiltBinary.packageRoot.appendingPathComponent("runbooks").path)
        let report = try ParserFuzzer.runbooks(iterations: 3, seed: Self.seed, corpus: corpus, hangLimit: 0)
        #expect(report.hangs.count == 3)
        let saved = try #require(report.hangs.first?.split(separator: "saved to ").last.map { String($0.dropLast()) })
        #expect(FileManager.default.fileExists(atPath: saved), "\(saved)")
    }

    @Test func mutatedFenceInfoStringsNeverCrash() {
        let report = ParserFuzzer.infoStrings(iterations: Self.iterations * 10, seed: Self.seed)
        #expect(report.badProblems == 0)
        print("fuzz: fence info: \(Self.iterations * 10) inputs, \(report.withProblems) with problems reported")
    }

    @Test func theMutatorIsDeterministicForItsSeed() {
        var first = Mutator(seed: 42)
        var second = Mutator(seed: 42)
        let corpus = [Array("# A\n\n```bash {id=a}\necho a\n```\n".utf8)]
        #expect((0..<50).map { _ in first.mutate(corpus) } == (0..<50).map { _ in second.mutate(corpus) })
    }
}
