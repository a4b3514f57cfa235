import Foundation
import RunbookTestSupport
import Testing

@testable import RunbookKit

/// A measurement, not a check: how fast the outbox drains to two real HTTP servers on 127.0.0.1 (Python's
/// `http.server`), wall-clock and CPU time of this process and its `runbook-http` workers. Run it on purpose:
/// `RUNBOOK_BENCH_DELIVERY=200 swift test --skip-build --filter DeliveryThroughputTests`.
@Suite(.serialized) struct DeliveryThroughputTests {
    static let incidents = Int(ProcessInfo.processInfo.environment["RUNBOOK_BENCH_DELIVERY"] ?? "") ?? 0

    @Test(.enabled(if: incidents > 0, "a benchmark: set RUNBOOK_BENCH_DELIVERY to a number of incidents to run it"))
    func drainsTheOutboxToTwoChannels() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteTranscriptStore(path: directory.appendingPathComponent("runbook.sqlite3").path)
        let slackServer = try HTTPReceiver(statuses: ["200"])
        let pagerDutyServer = try HTTPReceiver(statuses: ["202"])
        let slack = SlackNotifier(channel: "slack", webhookURL: slackServer.baseURL, timeout: 5)
        let pagerDuty = PagerDutyNotifier(
            channel: "pagerduty", routingKey: "k", endpoint: pagerDutyServer.baseURL, source: "bench", timeout: 5)
        let clock = TestClock()
        let deliverer = NotificationDeliverer(
            store: store, notifiers: [slack, pagerDuty], clock: clock, actor: "runbook@bench")
        let scheduler = EscalationScheduler(
            store: store, clock: clock, wallClock: clock, channels: EscalationChannels(notifiers: [slack, pagerDuty]),
            actor: "runbook@bench", deliverer: deliverer)
        for index in 0..<Self.incidents {
            _ = try scheduler.declare(
                IncidentDeclaration(
                    title: "Bench \(index)", runbook: "outage", environment: "production", severity: .p0,
                    host: "bench", user: "alice"), policy: EscalationFixtures.policy)
        }
        clock.advance(by: 900)
        _ = try scheduler.fireDue()
        let before = Self.cpuSeconds()
        let started = Date()
        let attempts = try deliverer.deliverDue()
        let wall = Date().timeIntervalSince(started)
        // The workers are still running (alive children are not in RUSAGE_CHILDREN): read theirs from /proc.
        let cpu = Self.cpuSeconds() + Self.runningChildrenCPUSeconds() - before
        deliverer.stop()
        let sent = attempts.filter(\.result.isSent).count
        print(
            String(
                format: "delivery bench: %d notifications (2 channels) sent=%d wall=%.2f s → %.0f/s per channel, "
                    + "cpu(self+children)=%.2f s → %.1f ms per notification",
                attempts.count, sent, wall, Double(sent) / 2 / wall, cpu, cpu * 1000 / Double(max(1, sent))))
        #expect(sent == 2 * Self.incidents)
    }

    /// User + system time of this process and its reaped children.
    static func cpuSeconds() -> Double {
        func seconds(_ who: __rusage_who) -> Double {
            var usage = rusage()
            getrusage(__rusage_who_t(who.rawValue), &usage)
            return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
                + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        }
        return seconds(RUSAGE_SELF) + seconds(RUSAGE_CHILDREN)
    }

    /// User + system time of the running `runbook-http` children, from /proc/PID/stat.
    static func runningChildrenCPUSeconds() -> Double {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        var total = 0.0
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] where Int(entry) != nil {
            guard let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                stat.contains("(runbook-http)"), let close = stat.lastIndex(of: ")")
            else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            // After the command: state, ppid, … utime is field 14 and stime 15 of the whole line.
            guard fields.count > 13, Int32(fields[1]) == getpid(), let user = Double(fields[11]),
                let system = Double(fields[12])
            else { continue }
            total += (user + system) / ticks
        }
        return total
    }
}
