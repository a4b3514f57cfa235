import Foundation
import RunbookTestSupport

/// `runbook serve` started from the built binary on a free loopback port (`--listen 127.0.0.1:0`; the port is read
/// from its `listening` log line), with a scratch store and runbooks.
final class ServeProcess {
    static let token = "e2e-token-0123456789abcdef"

    let scratch: ScratchRunbooks
    let live: LiveRunbook
    let port: Int

    /// Starts it; `configuration` is written to a file given with `--config`.
    init(
        configuration: String? = nil, runbooks: [String: String] = [:], token: String = ServeProcess.token,
        environment: [String: String] = [:]
    ) throws {
        scratch = try ScratchRunbooks("serve-e2e")
        for (name, text) in runbooks {
            let path = scratch.runbooks.appendingPathComponent(name)
            try FileManager.default.createDirectory(
                at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: path, atomically: true, encoding: .utf8)
        }
        var arguments = [
            "serve", "--listen", "127.0.0.1:0", "--db", scratch.database, "--runbooks", scratch.runbooks.path,
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
        try waitUntil("runbook serve to listen; it printed: \(live.text)") {
            found = Self.port(in: live.text)
            if found == nil && !live.process.isRunning { throw RawHTTP.Failure("runbook serve exited: \(live.text)") }
            return found != nil
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
        try BuiltBinary.run(arguments + ["--db", scratch.database])
    }
}
