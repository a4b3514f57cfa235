import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `runbook serve` fed by a real Alertmanager (Debian's prometheus-alertmanager, `.ci/run` installs it): alerts
/// added with amtool reach the service through Alertmanager's webhook receiver with the bearer token. Without
/// Alertmanager the test shows as skipped.
@Suite struct AlertmanagerEndToEndTests {
    static let installed = ExternalTool.isAvailable("prometheus-alertmanager") && ExternalTool.isAvailable("amtool")

    static let runbookURL = "https://github.com/openshift/runbooks/blob/master/alerts/k8s/KubePodCrashLooping.md"

    /// Alertmanager on loopback whose only receiver is the service, with short intervals.
    final class Alertmanager {
        let process = Process()
        let port: Int
        let log: URL

        init(servicePort: Int, token: String, directory: URL) throws {
            port = try RawHTTP.freePort()
            let configuration = """
                route:
                  receiver: runbook
                  group_by: [alertname]
                  group_wait: 1s
                  group_interval: 2s
                  repeat_interval: 3s
                receivers:
                  - name: runbook
                    webhook_configs:
                      - url: http://127.0.0.1:\(servicePort)/alertmanager
                        send_resolved: true
                        http_config:
                          authorization:
                            credentials: \(token)
                """
            let file = directory.appendingPathComponent("alertmanager.yml")
            try configuration.write(to: file, atomically: true, encoding: .utf8)
            log = directory.appendingPathComponent("alertmanager.log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [
                "prometheus-alertmanager", "--config.file=\(file.path)",
                "--storage.path=\(directory.appendingPathComponent("am-data").path)",
                "--web.listen-address=127.0.0.1:\(port)", "--cluster.listen-address=",
            ]
            let handle = try FileHandle(forWritingTo: log)
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
            do {
                try waitUntil("Alertmanager to be ready: \(logText)", timeout: 30) {
                    (try? RawHTTP.request(port: port, "GET", "/-/ready").status) == 200
                }
            } catch {
                // `deinit` never runs for an object whose `init` threw.
                process.terminate()
                process.waitUntilExit()
                throw error
            }
        }

        var logText: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

        /// `amtool alert add` against it.
        func add(_ arguments: [String]) throws {
            let result = try ExternalTool.run(
                "amtool", ["--alertmanager.url=http://127.0.0.1:\(port)", "alert", "add"] + arguments)
            #expect(result.status == 0, "amtool: \(result.stderr)")
        }

        deinit {
            process.terminate()
            process.waitUntilExit()
        }
    }

    /// The alertmanager POSTs the service logged with status 200.
    static func deliveries(_ service: ServeProcess) -> Int {
        service.live.text.components(separatedBy: "method=POST path=/alertmanager status=200").count - 1
    }

    @Test(.enabled(if: installed, "prometheus-alertmanager and amtool are not installed (.ci/run installs them)"))
    func alertsFromAlertmanagerDeclareOneIncidentNoteChangesAndNeverResolveIt() throws {
        let service = try ServeProcess(runbooks: [
            "alerts/k8s/KubePodCrashLooping.md": "# Crash loop\n\n```bash\necho check\n```\n",
            "escalation.md": ScratchRunbooks.escalationMatrix(p0: "5 minutes", p1: "15 minutes"),
        ])
        let alertmanager = try Alertmanager(
            servicePort: service.port, token: ServeProcess.token, directory: service.scratch.directory)
        let store = try SQLiteTranscriptStore(readingEvidenceAt: service.scratch.database)
        func incidents() throws -> [Incident] { try store.incidents(openOnly: false, drillsOnly: false) }
        func notes() throws -> [String] {
            try store.events(incidentID: 1).filter { $0.type == .noteAdded }.compactMap {
                $0.payload["text"]?.stringValue
            }
        }

        try alertmanager.add([
            "KubePodCrashLooping", "severity=critical", "namespace=payments", "pod=api-1",
            "--annotation=runbook_url=\(Self.runbookURL)", "--annotation=summary=Pods are crash-looping",
        ])
        try waitUntil("the incident; service log: \(service.live.text)\nalertmanager: \(alertmanager.logText)") {
            try !incidents().isEmpty && !notes().isEmpty
        }
        let incident = try #require(try incidents().first)
        #expect(incident.severity == .p1)
        #expect(incident.runbook == "alerts/k8s/KubePodCrashLooping")
        #expect(incident.title == "KubePodCrashLooping: Pods are crash-looping")
        #expect(try notes() == ["alert firing: KubePodCrashLooping: Pods are crash-looping"])
        #expect(try store.timers(incidentID: 1).contains { $0.status == .pending })

        // A second alert of the same group: a note on the same incident.
        try alertmanager.add([
            "KubePodCrashLooping", "severity=critical", "namespace=payments", "pod=api-2",
            "--annotation=summary=Pods are crash-looping",
        ])
        try waitUntil("the second alert's note: \(service.live.text)") { try notes().count == 2 }
        #expect(try notes()[1] == "new alert in the group: KubePodCrashLooping: Pods are crash-looping")

        // Alertmanager repeats the group (repeat_interval 3s): no second incident, no new note.
        let delivered = Self.deliveries(service)
        try waitUntil("two repeated notifications: \(service.live.text)", timeout: 30) {
            Self.deliveries(service) >= delivered + 2
        }
        #expect(try incidents().count == 1)
        #expect(try notes().count == 2)

        // Both alerts end: the resolved group is noted, and the incident stays open.
        let ended = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-1))
        for pod in ["api-1", "api-2"] {
            try alertmanager.add([
                "KubePodCrashLooping", "severity=critical", "namespace=payments", "pod=\(pod)", "--end=\(ended)",
                "--annotation=summary=Pods are crash-looping",
            ])
        }
        try waitUntil("the resolved notes: \(service.live.text)", timeout: 30) {
            try notes().contains { $0.hasPrefix("alert resolved: every alert of this group is resolved") }
        }
        #expect(try notes().filter { $0 == "alert resolved: KubePodCrashLooping: Pods are crash-looping" }.count == 2)
        #expect(try store.incident(1)?.status == .open)
        #expect(try incidents().count == 1)
        #expect(!service.live.text.contains("status=401"))
    }
}
