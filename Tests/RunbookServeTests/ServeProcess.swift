import Foundation
import RunbookKit
import RunbookTestSupport
import Synchronization
import Testing

/// `runbook serve` started from the built binary on a free loopback port (`--listen 127.0.0.1:0`; the port is read
/// from its `listening` log line), with a scratch store and runbooks.
final class ServeProcess {
    static let token = "e2e-token-0123456789abcdef"

    let scratch: ScratchRunbooks
    let live: LiveRunbook
    let port: Int

    /// Starts it; `configuration` is written to a file given with `--config`.
    /// The `--db` it was started with: the scratch SQLite file, or `database` when given (a `postgres://` URL).
    let database: String

    init(
        configuration: String? = nil, runbooks: [String: String] = [:], token: String = ServeProcess.token,
        environment: [String: String] = [:], database: String? = nil
    ) throws {
        scratch = try ScratchRunbooks("serve-e2e")
        for (name, text) in runbooks {
            let path = scratch.runbooks.appendingPathComponent(name)
            try FileManager.default.createDirectory(
                at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: path, atomically: true, encoding: .utf8)
        }
        self.database = database ?? scratch.database
        var arguments = [
            "serve", "--listen", "127.0.0.1:0", "--db", self.database, "--runbooks", scratch.runbooks.path,
        ]
        if let configuration {
            let path = scratch.directory.appendingPathComponent("serve.yaml").path
            try configuration.write(toFile: path, atomically: true, encoding: .utf8)
            arguments += ["--config", path]
        }
        live = try LiveRunbook(
            arguments, environment: environment.merging(["RUNBOOK_SERVE_TOKEN": token]) { _, token in token })
        var found: Int?
        let live = self.live
        do {
            try waitUntil("runbook serve to listen; it printed: \(live.text)") {
                found = Self.port(in: live.text)
                if found == nil && !live.process.isRunning {
                    throw RawHTTP.Failure("runbook serve exited: \(live.text)")
                }
                return found != nil
            }
        } catch {
            // `deinit` never runs for an object whose `init` threw: the service is stopped here.
            if live.process.isRunning { live.kill(SIGKILL) }
            throw error
        }
        port = found!
    }

    deinit {
        if live.process.isRunning {
            live.kill(SIGKILL)
            live.process.waitUntilExit()
        }
    }

    static func port(in log: String) -> Int? {
        guard let line = log.split(separator: "\n").first(where: { $0.hasSuffix(" listening") }),
            let range = line.range(of: #"port=\d+"#, options: .regularExpression)
        else { return nil }
        return Int(line[range].dropFirst(5))
    }

    func request(
        _ method: String, _ path: String, token: String? = ServeProcess.token, body: Data = Data(),
        headers: [String: String] = [:]
    ) throws -> (status: Int, body: String) {
        var headers = headers
        if let token { headers["Authorization"] = "Bearer \(token)" }
        return try RawHTTP.request(port: port, method, path, headers: headers, body: body)
    }

    /// Runs `runbook ARGUMENTS --db` on the service's store.
    func runbook(_ arguments: [String]) throws -> BuiltBinary.Result {
        try BuiltBinary.run(arguments + ["--db", database], environment: ["RUNBOOK_DB": ""])
    }

    /// Posts each of `groups` alert groups' firing notification four times at the same moment, from threads of
    /// their own, spread over `services` (on one store); expects every answer to be 200, and one incident, with a
    /// key of its own, per group in what `incidents` reads from the store afterwards, which it returns.
    static func postTogether(
        groups: Int, to services: [ServeProcess], incidents: () throws -> [Incident]
    ) throws -> [Incident] {
        let statuses = Mutex<[Int]>([])
        let ports = services.map(\.port)
        for group in 0..<groups {
            let body = WebhookFixtures.body(
                groupKey: "{}:{alertname=\"Down\", group=\"\(group)\"}",
                alerts: [.init(name: "Down\(group)", severity: "P2")])
            let go = DispatchSemaphore(value: 0)
            let done = DispatchGroup()
            for index in 0..<4 {
                done.enter()
                Thread {
                    go.wait()
                    let status =
                        (try? RawHTTP.request(
                            port: ports[index % ports.count], "POST", "/alertmanager",
                            headers: ["Authorization": "Bearer \(ServeProcess.token)"], body: body
                        ).status) ?? -1
                    statuses.withLock { $0.append(status) }
                    done.leave()
                }.start()
            }
            for _ in 0..<4 { go.signal() }
            done.wait()
        }
        let answered = statuses.withLock { $0 }
        #expect(answered.count == groups * 4 && answered.allSatisfy { $0 == 200 }, "\(answered)")
        let found = try incidents()
        #expect(found.count == groups, "\(found.map { ($0.id, $0.title, $0.incidentKey ?? "") })")
        #expect(Set(found.compactMap(\.incidentKey)).count == found.count)
        return found
    }
}
