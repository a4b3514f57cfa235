import Foundation
import RunbookKit

/// Seeded random-mutation fuzzing of the runbook parser, the linter and the fence attribute parser, shared by
/// `ParserFuzzTests` (CI, a few thousand inputs) and the `runbook-fuzz` executable (`scripts/fuzz`, the long run in
/// a release build).
public enum ParserFuzzer {
    /// What a run of mutated runbooks found.
    public struct RunbookReport: Sendable {
        /// Inputs that parsed (and were linted).
        public var parsed = 0
        /// Inputs rejected with an error.
        public var rejected = 0
        /// Errors whose text was empty (a clear error must say something).
        public var silentErrors = 0
        /// Inputs slower than the hang limit, saved to the temporary directory.
        public var hangs: [String] = []
    }

    /// What a run of mutated fence info strings found.
    public struct InfoReport: Sendable {
        /// Inputs the attribute parser reported problems for.
        public var withProblems = 0
        /// Problems without a message or with an offset outside the string.
        public var badProblems = 0
    }

    /// The bundled runbooks under `directory` (`runbooks/`), the corpus every input mutates.
    public static func corpus(directory: String) throws -> [[UInt8]] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".md") }
            .sorted()
        return try files.map { Array(try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\($0)"))) }
    }

    /// Parses and lints `iterations` mutations of `corpus`; an input that takes more than `hangLimit` seconds of this
    /// thread's CPU time is saved. CPU time, not wall time: a quadratic parse burns CPU, where a busy machine (other
    /// builds, the suite's parallel tests) only makes the wall clock run on while this thread waits for a core.
    public static func runbooks(
        iterations: Int, seed: UInt64, corpus: [[UInt8]], hangLimit: TimeInterval = 2
    ) throws -> RunbookReport {
        var mutator = Mutator(seed: seed)
        var report = RunbookReport()
        for index in 0..<iterations {
            let input = mutator.mutate(corpus)
            let start = threadCPUTime()
            do {
                let (runbook, _) = try RunbookParser.parseWithDiagnostics(data: Data(input), path: "fuzz-\(index).md")
                _ = Linter().check(runbook)
                report.parsed += 1
            } catch {
                report.rejected += 1
                if String(describing: error).isEmpty { report.silentErrors += 1 }
            }
            let elapsed = threadCPUTime() - start
            if elapsed > hangLimit {
                let path = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-hang-\(index).md")
                try Data(input).write(to: path)
                report.hangs.append("input \(index) took \(elapsed) s of CPU (saved to \(path.path))")
            }
        }
        return report
    }

    /// Parses `iterations` mutations of typical fence info strings with the attribute parser.
    public static func infoStrings(iterations: Int, seed: UInt64) -> InfoReport {
        var mutator = Mutator(seed: seed ^ 0xF00D)
        let seeds = [
            "bash {id=check-pods risk=read timeout=30s}", #"sh {"name":"check-pods","risk":"read","expect":[0,1]}"#,
            "console {capture=POD on-fail=rollback.md#helm-rollback env=production,staging}",
            "bash {interactive cwd=/tmp ignore=false expect=0,1,2}",
        ]
        var report = InfoReport()
        for _ in 0..<iterations {
            let info = String(decoding: mutator.mutate(seeds.map { Array($0.utf8) }, maxSize: 512), as: UTF8.self)
            let parsed = FenceInfo(parsing: info)
            report.withProblems += parsed.problems.isEmpty ? 0 : 1
            // Every problem must tell the author something, at a place inside the string.
            for problem in parsed.problems
            where problem.message.isEmpty || problem.offset < 0 || problem.offset > info.utf8.count {
                report.badProblems += 1
            }
        }
        return report
    }
}

/// A small deterministic mutator (SplitMix64), so a failing run is reproduced by its seed.
public struct Mutator {
    private var state: UInt64

    /// A mutator whose whole sequence follows from `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next pseudo-random number.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<bound` (0 when `bound` is not positive).
    public mutating func below(_ bound: Int) -> Int { bound <= 0 ? 0 : Int(next() % UInt64(bound)) }

    /// Tokens that steer the parser into its interesting paths.
    static let tokens: [[UInt8]] = [
        "```", "~~~", "````", "```bash {", "```console\n$ ", "{", "}", "=", "\"", "---\n", "\n---\n", "- [ ] ",
        "- [x] ", "- [", "](", ".md#", "](#", "|", "| --- |", "$", "${", "$(", "<pod-name>", "{environment}",
        "risk=destructive", "timeout=", "expect=", "on-fail=", "capture=", "id=", "\n# ", "\n## ", "\t", "\r\n",
        "variables:\n  X:\n    default: {production: a}\n", "severity: P9\n", "\u{0}", "\u{FEFF}", "\\",
        "\r", "\u{1B}", "\u{1B}[2K", "\u{1B}[1G", "\u{1B}]0;x\u{7}", "on-fail=b.md#", "](b.md#)", "](#)", "](.md)",
        "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n", "x: *a\n", "&a ",
    ].map { Array($0.utf8) }

    /// Openers repeated thousands of times for deep nesting: block quotes, list items on one line, emphasis, and
    /// brackets for YAML flow collections when they land in front matter.
    static let nesting: [[UInt8]] = [">", "> ", "- ", "* ", "1. ", "> - ", "**", "*_", "[", "{a: ", "  - "].map {
        Array($0.utf8)
    }

    /// One input: a file of `corpus` with 1 to 8 mutations, at most `maxSize` bytes.
    public mutating func mutate(_ corpus: [[UInt8]], maxSize: Int = 1 << 20) -> [UInt8] {
        var bytes = corpus[below(corpus.count)]
        for _ in 0..<(1 + below(8)) {
            let position = below(bytes.count + 1)
            switch below(9) {
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
            case 6:  // deep nesting: one opener repeated up to 50,000 times (100 KB of `>`, thousands of list levels)
                let opener = Self.nesting[below(Self.nesting.count)]
                let count = 1 + below([10, 100, 3_000, 50_000][below(4)])
                var run: [UInt8] = []
                run.reserveCapacity(opener.count * count + 2)
                for _ in 0..<count { run += opener }
                run += Array("x\n".utf8)
                bytes.insert(contentsOf: run, at: position)
            case 7:  // line endings and ESC: the whole file as CR LF, or as CR, or ESC sequences sprinkled in
                switch below(3) {
                case 0: bytes = bytes.flatMap { $0 == UInt8(ascii: "\n") ? [UInt8(ascii: "\r"), $0] : [$0] }
                case 1: bytes = bytes.map { $0 == UInt8(ascii: "\n") ? UInt8(ascii: "\r") : $0 }
                default:
                    for _ in 0..<(1 + below(4)) {
                        bytes.insert(contentsOf: Array("\u{1B}[2K".utf8), at: below(bytes.count + 1))
                    }
                }
            default:  // truncate
                bytes.removeSubrange(min(position, bytes.count)..<bytes.count)
            }
            if bytes.count > maxSize { bytes.removeSubrange(maxSize..<bytes.count) }
        }
        return bytes
    }
}

/// Seconds of CPU time the calling thread has used.
func threadCPUTime() -> TimeInterval {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return TimeInterval(time.tv_sec) + TimeInterval(time.tv_nsec) / 1e9
}
