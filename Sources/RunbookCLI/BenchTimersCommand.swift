import ArgumentParser
import Foundation
import RunbookKit

#if canImport(Glibc)
    import Glibc
#endif

/// `runbook bench-timers` (hidden; run by `scripts/bench-timers`): how late escalation timers fire.
///
/// Declares `--timers` P0 incidents on a fresh SQLite file whose deadlines fall `--spread` seconds apart in
/// all, then waits for each deadline the way the REPL does (a `poll()` timeout) and fires what is due through
/// the real scheduler and store. Lateness is the recorded `late_by_ms` plus the commit time.
struct BenchTimersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-timers", abstract: "Measure how late escalation timers fire (for scripts/bench-timers).",
        shouldDisplay: false)

    @Option(help: "How many timers.") var timers = 200
    @Option(help: "Seconds over which the deadlines are spread.") var spread = 3.0

    func run() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bench-timers-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteTranscriptStore(path: directory.appendingPathComponent("bench.sqlite3").path)
        let scheduler = EscalationScheduler(store: store, repeatLimit: 0, actor: "bench@localhost")
        // Declaring is durable (fsync per incident): leave time for it before the first deadline.
        let first = Date().addingTimeInterval(max(5, Double(timers) * 0.1))
        for index in 0..<timers {
            let deadline = first.addingTimeInterval(spread * Double(index) / Double(max(timers - 1, 1)))
            let policy = EscalationPolicy(rules: [
                EscalationRule(
                    severity: .p0, description: "bench", responseTime: .duration(deadline.timeIntervalSinceNow),
                    targets: ["On-call"])
            ])
            _ = try scheduler.declare(
                IncidentDeclaration(
                    title: "bench \(index)", runbook: "bench", environment: "bench", severity: .p0, host: "localhost",
                    user: "bench"), policy: policy)
        }
        guard Date() < first else {
            FileHandle.standardError.write(
                Data("declaring \(timers) incidents took too long; use fewer --timers\n".utf8))
            throw ExitCode(1)
        }
        var lateness: [Double] = []
        var commits: [Double] = []
        while let wait = try scheduler.secondsUntilNextDeadline() {
            if wait > 0 { _ = poll(nil, 0, Int32((wait * 1000).rounded(.up))) }
            let started = Date()
            let reports = try scheduler.fireDue()
            let finished = Date()
            for report in reports {
                guard let event = report.events.first(where: { $0.type == .escalationTriggered }),
                    let late = event.payload["late_by_ms"]?.doubleValue,
                    let deadline = event.payload["deadline_ms"]?.doubleValue
                else { continue }
                // Visible lateness: from the deadline to the commit of its escalation.
                lateness.append(max(late, finished.timeIntervalSince1970 * 1000 - deadline))
            }
            if !reports.isEmpty { commits.append(finished.timeIntervalSince(started) * 1000 / Double(reports.count)) }
            if ProcessInfo.processInfo.environment["BENCH_TRACE"] != nil {
                FileHandle.standardError.write(
                    Data(
                        "batch \(reports.count) took \(Int(finished.timeIntervalSince(started) * 1000)) ms, waited \(Int(started.timeIntervalSinceNow * -1000)) late \(Int(lateness.last ?? 0))\n"
                            .utf8))
            }
        }
        let sorted = lateness.sorted()
        func percentile(_ p: Double) -> Double {
            sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int((p * Double(sorted.count)).rounded(.up)) - 1)]
        }
        print(
            String(
                format: "runbook  fired=%d  p50_ms=%.1f  p99_ms=%.1f  max_ms=%.1f  mean_commit_ms=%.1f", sorted.count,
                percentile(0.5), percentile(0.99), sorted.last ?? 0,
                commits.isEmpty ? 0 : commits.reduce(0, +) / Double(commits.count)))
    }
}
