// runbook-fuzz: the long fuzz run of the runbook parser, the linter and the fence attribute parser, in a release
// build (`scripts/fuzz`). The same `ParserFuzzer` runs a few thousand inputs in CI (`ParserFuzzTests`).
//
// Usage: runbook-fuzz RUNBOOKS_DIR N [SEED]   (N mutated runbooks and 10 x N fence info strings)
// Exit status: 0 when nothing crashed, hung or reported a silent error; 1 otherwise.
import Foundation
import RunbookTestSupport

let arguments = CommandLine.arguments
guard arguments.count >= 3, let iterations = Int(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: runbook-fuzz RUNBOOKS_DIR N [SEED]\n".utf8))
    exit(2)
}
let seed = arguments.count > 3 ? UInt64(arguments[3]) ?? 0x5EED_2026 : 0x5EED_2026
let started = Date()
let corpus = try ParserFuzzer.corpus(directory: arguments[1])
let runbooks = try ParserFuzzer.runbooks(iterations: iterations, seed: seed, corpus: corpus)
print(
    "fuzz: runbook parser: \(iterations) inputs (seed \(seed)), \(runbooks.parsed) parsed, "
        + "\(runbooks.rejected) rejected, \(runbooks.silentErrors) silent errors, \(runbooks.hangs.count) hangs")
for hang in runbooks.hangs { print("  " + hang) }
let info = ParserFuzzer.infoStrings(iterations: iterations * 10, seed: seed)
print(
    "fuzz: fence info: \(iterations * 10) inputs, \(info.withProblems) with problems reported, "
        + "\(info.badProblems) problems without a message or place")
// Inputs run in this process, so reaching this line means none of them crashed it.
print(
    "fuzz: \(iterations * 11) inputs in all, 0 crashes, \(runbooks.hangs.count) hangs, "
        + "\(String(format: "%.1f", Date().timeIntervalSince(started))) s")
exit(runbooks.silentErrors == 0 && runbooks.hangs.isEmpty && info.badProblems == 0 ? 0 : 1)
