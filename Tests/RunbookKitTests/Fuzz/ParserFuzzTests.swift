import Foundation
import RunbookTestSupport
import Testing

@testable import RunbookKit

/// Seeded random-mutation fuzzing of the runbook parser, the linter and the fence attribute parser.
///
/// The corpus is the bundled runbooks. Each input is a mutation of one (byte flips, insertions of the tokens
/// that steer the parser, deletions, duplications, splices of two files). A crash fails the run; an input
/// that takes longer than the hang limit is written to the temporary directory and reported.
/// CI runs `RUNBOOK_FUZZ_ITERATIONS` inputs (default 2,000); `scripts/fuzz` runs the long variant.
@Suite struct ParserFuzzTests {
    static var iterations: Int {
        Int(ProcessInfo.processInfo.environment["RUNBOOK_FUZZ_ITERATIONS"] ?? "") ?? 2_000
    }
    static var seed: UInt64 {
        UInt64(ProcessInfo.processInfo.environment["RUNBOOK_FUZZ_SEED"] ?? "") ?? 0x5EED_2026
    }
    static let hangLimit: TimeInterval = 2

    static func corpus() throws -> [[UInt8]] {
        let directory = BuiltBinary.packageRoot.appendingPathComponent("runbooks").path
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".md") }
            .sorted()
        return try files.map { Array(try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\($0)"))) }
    }

    @Test func mutatedRunbooksNeverCrashOrHang() throws {
        let corpus = try Self.corpus()
        try #require(corpus.count >= 10)
        var mutator = Mutator(seed: Self.seed)
        var parsed = 0
        var rejected = 0
        for index in 0..<Self.iterations {
            let input = mutator.mutate(corpus)
            let start = Date()
            do {
                let (runbook, _) = try RunbookParser.parseWithDiagnostics(data: Data(input), path: "fuzz-\(index).md")
                _ = Linter().check(runbook)
                parsed += 1
            } catch {
                // A clear error is an allowed outcome; it must say something.
                #expect(!String(describing: error).isEmpty)
                rejected += 1
            }
            let elapsed = Date().timeIntervalSince(start)
            if elapsed > Self.hangLimit {
                let path = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-hang-\(index).md")
                try Data(input).write(to: path)
                Issue.record("input \(index) took \(elapsed) s (saved to \(path.path))")
            }
        }
        #expect(parsed + rejected == Self.iterations)
        print(
            "fuzz: runbook parser: \(Self.iterations) inputs (seed \(Self.seed)), \(parsed) parsed, \(rejected) rejected"
        )
    }

    @Test func mutatedFenceInfoStringsNeverCrash() {
        var mutator = Mutator(seed: Self.seed ^ 0xF00D)
        let seeds = [
            "bash {id=check-pods risk=read timeout=30s}", #"sh {"name":"check-pods","risk":"read","expect":[0,1]}"#,
            "console {capture=POD on-fail=rollback.md#helm-rollback env=production,staging}",
            "bash {interactive cwd=/tmp ignore=false expect=0,1,2}",
        ]
        var problems = 0
        for _ in 0..<(Self.iterations * 10) {
            let info = String(decoding: mutator.mutate(seeds.map { Array($0.utf8) }, maxSize: 512), as: UTF8.self)
            let parsed = FenceInfo(parsing: info)
            problems += parsed.problems.isEmpty ? 0 : 1
            // Every problem must tell the author something, at a place inside the string.
            for problem in parsed.problems {
                #expect(!problem.message.isEmpty && problem.offset >= 0 && problem.offset <= info.utf8.count)
            }
        }
        print("fuzz: fence info: \(Self.iterations * 10) inputs, \(problems) with problems reported")
    }
}

/// A small deterministic mutator (SplitMix64), so a failing run is reproduced by its seed.
struct Mutator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ bound: Int) -> Int { bound <= 0 ? 0 : Int(next() % UInt64(bound)) }

    /// Tokens that steer the parser into its interesting paths.
    static let tokens: [[UInt8]] = [
        "```", "~~~", "````", "```bash {", "```console\n$ ", "{", "}", "=", "\"", "---\n", "\n---\n", "- [ ] ",
        "- [x] ", "- [", "](", ".md#", "](#", "|", "| --- |", "$", "${", "$(", "<pod-name>", "{environment}",
        "risk=destructive", "timeout=", "expect=", "on-fail=", "capture=", "id=", "\n# ", "\n## ", "\t", "\r\n",
        "variables:\n  X:\n    default: {production: a}\n", "severity: P9\n", "\u{0}", "\u{FEFF}", "\\",
    ].map { Array($0.utf8) }

    mutating func mutate(_ corpus: [[UInt8]], maxSize: Int = 1 << 20) -> [UInt8] {
        var bytes = corpus[below(corpus.count)]
        for _ in 0..<(1 + below(8)) {
            let position = below(bytes.count + 1)
            switch below(7) {
            case 0 where !bytes.isEmpty:  // flip a byte
                bytes[min(position, bytes.count - 1)] ^= UInt8(truncatingIfNeeded: 1 << below(8))
            case 1:  // insert a steering token
                bytes.insert(contentsOf: Self.tokens[below(Self.tokens.count)], at: position)
            case 2 where !bytes.isEmpty:  // delete a run
                let end = min(bytes.count, position + below(64))
                bytes.removeSubrange(min(position, end)..<end)
            case 3 where !bytes.isEmpty:  // duplicate a run
                let end = min(bytes.count, position + below(256))
                let start = min(position, end)
                bytes.insert(contentsOf: bytes[start..<end], at: start)
            case 4:  // splice in part of another file
                let other = corpus[below(corpus.count)]
                let start = below(other.count)
                let end = min(other.count, start + below(512))
                bytes.insert(contentsOf: other[start..<end], at: position)
            case 5:  // random bytes, including invalid UTF-8
                bytes.insert(contentsOf: (0..<below(16)).map { _ in UInt8(truncatingIfNeeded: next()) }, at: position)
            default:  // truncate
                bytes.removeSubrange(min(position, bytes.count)..<bytes.count)
            }
            if bytes.count > maxSize { bytes.removeSubrange(maxSize..<bytes.count) }
        }
        return bytes
    }
}
