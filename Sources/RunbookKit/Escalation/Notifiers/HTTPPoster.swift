import Foundation

/// Posts a JSON body with a short timeout and classifies the answer for the outbox.
///
/// The request itself is made by `runbook-http`, a small program installed beside `runbook`: linking
/// FoundationNetworking (libcurl and the libraries it pulls in) into `runbook` would double its start-up time,
/// and a notification is rare and delivered from a background thread. The URL (a secret for Slack) and the body go
/// to the program on stdin, never in its arguments.
struct HTTPPoster: Sendable {
    /// Upper bound on one attempt, connect to last byte.
    var timeout: TimeInterval
    /// The `runbook-http` program; `nil` looks for it (`helperPath()`).
    var program: String?

    init(timeout: TimeInterval, program: String? = nil) {
        self.timeout = timeout
        self.program = program
    }

    /// 2xx → sent; 429 and 5xx → retryable; other statuses → permanent; transport errors → retryable.
    func post(_ body: Data, to url: URL) -> DeliveryResult {
        guard let helper = program ?? Self.helperPath() else {
            return .permanent(
                error: "runbook-http is missing: install it beside runbook (swift build builds both), "
                    + "or set RUNBOOK_HTTP to its path")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: helper)
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        do {
            try process.run()
        } catch {
            return .permanent(error: "cannot start \(helper): \(error.localizedDescription)")
        }
        var request = Data((url.absoluteString + "\n" + String(format: "%g", timeout) + "\n").utf8)
        request.append(body)
        try? input.fileHandleForWriting.write(contentsOf: request)
        try? input.fileHandleForWriting.close()
        // The program gives up after the timeout (plus a second); this only guards against a stuck program. Its
        // report is one short line, which the pipe holds until it is read here.
        if exited.wait(timeout: .now() + timeout + 3) == .timedOut {
            process.terminate()
            return .retryable(
                error: "timed out: no answer from \(url.host ?? "the server") within \(String(format: "%g", timeout)) s"
            )
        }
        return Self.classify(reply: output.fileHandleForReading.readDataToEndOfFile())
    }

    /// Turns `runbook-http`'s one-line JSON report into a delivery result.
    static func classify(reply: Data) -> DeliveryResult {
        guard let report = try? JSONValue(parsing: String(decoding: reply, as: UTF8.self)) else {
            return .retryable(error: "runbook-http gave no report")
        }
        if let error = report["error"]?.stringValue { return .retryable(error: error) }
        guard let status = report["status"]?.intValue else { return .retryable(error: "no HTTP response") }
        let body = report["body"]?.stringValue ?? ""
        let detail = body.isEmpty ? "HTTP \(status)" : "HTTP \(status): \(body)"
        switch status {
        case 200..<300: return .sent(detail: "HTTP \(status)")
        case 429, 500..<600: return .retryable(error: detail)
        default: return .permanent(error: detail)
        }
    }

    /// `RUNBOOK_HTTP`, else `runbook-http` beside the running program, else on `PATH`.
    static func helperPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let path = environment["RUNBOOK_HTTP"], !path.isEmpty { return path }
        var candidates: [String] = []
        if let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append((executable as NSString).deletingLastPathComponent + "/runbook-http")
        }
        for directory in (environment["PATH"] ?? "").split(separator: ":") {
            candidates.append(String(directory) + "/runbook-http")
        }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
