import Foundation

/// Posts a JSON body with a short timeout and classifies the answer for the outbox.
///
/// The request itself is made by `runbook-http`, a small program installed beside `runbook`: linking
/// FoundationNetworking (libcurl and the libraries it pulls in) into `runbook` would double its start-up time.
/// Starting that program for every POST costs tens of milliseconds of CPU, so the poster keeps a small pool of
/// `runbook-http --serve` workers, each taking one request line at a time on stdin and answering one report line:
/// spawned when first needed, replaced when one dies or does not answer in time, killed by `close()` or when the
/// poster goes away. The URL (a secret for Slack) and the body go to the program on stdin, never in its arguments.
public final class HTTPPoster: @unchecked Sendable {
    /// Upper bound on one attempt, connect to last byte.
    public let timeout: TimeInterval
    /// The `runbook-http` program; `nil` looks for it (`helperPath()`).
    public let program: String?
    /// Idle workers kept for the next request; more may run at once, the extra ones exit when done.
    public let poolSize: Int
    private let lock = NSLock()
    private var idle: [Worker] = []
    /// Grows with every `close()`: a busy worker started before it ends when its request is answered.
    private var generation = 0

    public init(timeout: TimeInterval, program: String? = nil, poolSize: Int = 4) {
        self.timeout = timeout
        self.program = program
        self.poolSize = max(1, poolSize)
    }

    deinit { close() }

    /// Ends the idle workers now and the busy ones when their request is answered; later posts start new ones.
    public func close() {
        lock.lock()
        let workers = idle
        idle = []
        generation += 1
        lock.unlock()
        for worker in workers { worker.end() }
    }

    /// 2xx → sent; 429 and 5xx → retryable (with the server's Retry-After); 3xx (never followed) and other statuses
    /// → permanent; transport errors → retryable.
    public func post(_ body: Data, to url: URL) -> DeliveryResult {
        guard let helper = program ?? Self.helperPath() else {
            return .permanent(
                error: "runbook-http is missing: install it beside runbook (swift build builds both), "
                    + "or set RUNBOOK_HTTP to its path")
        }
        let request: JSONValue = [
            "url": .string(url.absoluteString), "timeout": .double(timeout),
            "body": .string(String(decoding: body, as: UTF8.self)),
        ]
        // An idle worker may have died since its last request: it is replaced at once, and the request goes to the
        // new one (if the old one died mid-request, the notification may arrive twice; none is lost).
        for _ in 0..<2 {
            let worker: Worker
            do {
                worker = try takeWorker(program: helper)
            } catch {
                return .permanent(error: "cannot start \(helper): \(error.localizedDescription)")
            }
            // The program gives up after the timeout (plus a second to cancel); this guards against a stuck one.
            switch worker.exchange(request.canonicalData(), timeout: timeout + 3) {
            case .reply(let reply):
                giveBack(worker)
                return Self.classify(reply: reply)
            case .gone:
                worker.end()
            case .timedOut:
                worker.end()
                return .retryable(
                    error: "timed out: no answer from \(url.host ?? "the server") within "
                        + "\(String(format: "%g", timeout)) s")
            }
        }
        return .retryable(error: "runbook-http workers exit before taking a request")
    }

    /// The process ids of the idle workers (for tests).
    var idleWorkerIDs: [Int32] {
        lock.lock()
        defer { lock.unlock() }
        return idle.map(\.process.processIdentifier)
    }

    private func takeWorker(program: String) throws -> Worker {
        lock.lock()
        let reused = idle.popLast()
        let current = generation
        lock.unlock()
        return try reused ?? Worker(program: program, generation: current)
    }

    private func giveBack(_ worker: Worker) {
        lock.lock()
        let kept = idle.count < poolSize && worker.generation == generation
        if kept { idle.append(worker) }
        lock.unlock()
        if !kept { worker.end() }
    }

    /// Turns one of `runbook-http`'s JSON report lines into a delivery result.
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
        case 300..<400:
            let target = report["location"]?.stringValue.map { "redirect to \($0)" } ?? "redirect"
            return .permanent(error: "HTTP \(status) \(target) not followed")
        case 429, 500..<600: return .retryable(error: detail, retryAfter: report["retry_after"]?.doubleValue)
        default: return .permanent(error: detail)
        }
    }

    /// `RUNBOOK_HTTP`, else `runbook-http` beside the running program, else on `PATH`.
    static func helperPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        helperPath(named: "runbook-http", override: "RUNBOOK_HTTP", environment: environment)
    }

    /// The one lookup of a program installed beside `runbook` (`runbook-http`, `runbook-serve`): the path in the
    /// environment variable `override`, else `name` beside the running program, else on `PATH`.
    public static func helperPath(
        named name: String, override: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String? {
        if let path = environment[override], !path.isEmpty { return path }
        var candidates: [String] = []
        if let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append((executable as NSString).deletingLastPathComponent + "/" + name)
        }
        for directory in (environment["PATH"] ?? "").split(separator: ":") {
            candidates.append(String(directory) + "/" + name)
        }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// One `runbook-http --serve` process, used by one request at a time.
    final class Worker: @unchecked Sendable {
        let process = Process()
        /// The poster's generation when it started.
        let generation: Int
        private let input = Pipe()
        private let output = Pipe()
        private var buffer = Data()

        init(program: String, generation: Int) throws {
            self.generation = generation
            // A worker that died must not kill us with SIGPIPE when we write to it.
            signal(SIGPIPE, SIG_IGN)
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = ["--serve"]
            process.standardInput = input
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
        }

        /// How an exchange ended.
        enum Exchange {
            /// The report line.
            case reply(Data)
            /// The worker exited (or was killed) before it answered.
            case gone
            /// The worker took longer than the timeout; it must be ended (a late answer would be taken for the next
            /// request's).
            case timedOut
        }

        /// Sends one request line and reads one report line.
        func exchange(_ request: Data, timeout: TimeInterval) -> Exchange {
            do {
                try input.fileHandleForWriting.write(contentsOf: request + Data("\n".utf8))
            } catch {
                return .gone
            }
            let descriptor = output.fileHandleForReading.fileDescriptor
            let end = Date().addingTimeInterval(timeout)
            while true {
                if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = Data(buffer[buffer.startIndex..<newline])
                    buffer = Data(buffer[(newline + 1)...])
                    return .reply(line)
                }
                let remaining = end.timeIntervalSinceNow
                guard remaining > 0 else { return .timedOut }
                var ready = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                let polled = poll(&ready, 1, Int32(min(remaining * 1000, 60_000).rounded(.up)))
                if polled < 0 && errno == EINTR { continue }
                guard polled > 0 else { continue }
                var chunk = [UInt8](repeating: 0, count: 4096)
                let count = read(descriptor, &chunk, chunk.count)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return .gone }
                buffer.append(contentsOf: chunk[0..<count])
            }
        }

        /// Ends the process: its stdin closes, and it is killed in case it is stuck in a request.
        func end() {
            try? input.fileHandleForWriting.close()
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            try? output.fileHandleForReading.close()
        }
    }
}
