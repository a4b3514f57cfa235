// runbook-http: posts JSON notifications for `runbook`'s Slack and PagerDuty notifiers.
//
// It is a separate program so that `runbook` itself never loads FoundationNetworking (libcurl and some thirty
// libraries it pulls in), which would double the time from `runbook start` to the first step. `runbook` starts it
// only to deliver notifications, from a background thread.
//
// Input on stdin (never arguments: a webhook URL is a secret, and arguments are visible to every user in `ps`).
// Two modes:
//   one-shot (no arguments): line 1: the URL; line 2: the timeout in seconds; the rest: the JSON body. One report
//     line out, then exit.
//   `--serve`: one request per line, a JSON object {"url": …, "timeout": seconds, "body": "the body as a string"};
//     one report line per request, in order, until stdin ends. The connection to a host is kept between requests.
// A report is one JSON object: {"status": CODE, "body": "first 200 bytes"} when the server answered, with
// "retry_after" (seconds, from a Retry-After header in delta seconds or as an HTTP date) and "location" (a
// redirect's Location header) when present; {"error": "what went wrong"} when it did not answer. Redirects are
// never followed: a 3xx answer is reported as it came. Exit status 0 when it reported, 2 on bad input.
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// One request.
struct Request {
    var url: URL
    var timeout: TimeInterval
    var body: Data
}

/// Writes one JSON report line.
func report(_ object: [String: Any]) {
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
    FileHandle.standardOutput.write(data + Data("\n".utf8))
}

/// What went wrong, in words an on-call engineer reads in the transcript (Foundation's own text on Linux is
/// "The operation could not be completed", whatever the cause).
func describe(_ error: any Error, host: String, timeout: TimeInterval) -> String {
    let nsError = error as NSError
    guard nsError.domain == NSURLErrorDomain else { return "network error: \(error.localizedDescription)" }
    switch nsError.code {
    case NSURLErrorTimedOut:
        return "timed out: no answer from \(host) within \(String(format: "%g", timeout)) s"
    case NSURLErrorCannotConnectToHost:
        return "network error: cannot connect to \(host) (connection refused)"
    case NSURLErrorCannotFindHost, NSURLErrorDNSLookupFailed:
        return "network error: cannot resolve \(host)"
    case NSURLErrorNetworkConnectionLost:
        return "network error: the connection to \(host) was lost"
    case NSURLErrorNotConnectedToInternet:
        return "network error: no network"
    case NSURLErrorSecureConnectionFailed, NSURLErrorServerCertificateUntrusted,
        NSURLErrorServerCertificateHasBadDate, NSURLErrorServerCertificateNotYetValid:
        return "network error: the TLS connection to \(host) failed"
    default:
        return "network error: \(host): URL error \(nsError.code)"
    }
}

/// A Retry-After value in seconds from now: delta seconds (`120`) or an HTTP date (`Wed, 21 Oct 2026 07:28:00 GMT`).
func retryAfterSeconds(_ value: String, now: Date = Date()) -> Double? {
    let text = value.trimmingCharacters(in: .whitespaces)
    if let seconds = Int(text), seconds >= 0 { return Double(seconds) }
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "GMT")
    formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
    guard let date = formatter.date(from: text) else { return nil }
    return max(0, date.timeIntervalSince(now).rounded(.up))
}

/// Collects one task's answer, and refuses every redirect so that a 3xx comes back as it was sent. Callbacks of an
/// earlier task (one cancelled at its timeout) are ignored.
final class Delegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let lock = NSLock()
    private var task = -1
    private var data = Data()
    private var done: DispatchSemaphore?
    private(set) var response: HTTPURLResponse?
    private(set) var error: (any Error)?

    func begin(_ task: URLSessionTask, _ semaphore: DispatchSemaphore) {
        lock.lock()
        self.task = task.taskIdentifier
        data = Data()
        response = nil
        error = nil
        done = semaphore
        lock.unlock()
    }

    func finish() -> (HTTPURLResponse?, Data, (any Error)?) {
        lock.lock()
        defer { lock.unlock() }
        done = nil
        return (response, data, error)
    }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        lock.lock()
        if dataTask.taskIdentifier == task { self.response = response as? HTTPURLResponse }
        lock.unlock()
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        lock.lock()
        if dataTask.taskIdentifier == self.task && self.data.count < 4096 { self.data.append(data) }
        lock.unlock()
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        lock.lock()
        guard task.taskIdentifier == self.task else {
            lock.unlock()
            return
        }
        if response == nil { response = task.response as? HTTPURLResponse }
        self.error = error
        let semaphore = done
        lock.unlock()
        semaphore?.signal()
    }
}

let delegate = Delegate()
let session: URLSession = {
    let configuration = URLSessionConfiguration.ephemeral
    configuration.httpMaximumConnectionsPerHost = 1
    return URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
}()

/// Posts one request and returns its report; requests are made one at a time.
func post(_ request: Request) -> [String: Any] {
    let host = request.url.host ?? "the server"
    var urlRequest = URLRequest(
        url: request.url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: request.timeout)
    urlRequest.httpMethod = "POST"
    urlRequest.httpBody = request.body
    urlRequest.setValue("application/json", forHTTPHeaderField: "Content-Type")
    urlRequest.setValue("runbook", forHTTPHeaderField: "User-Agent")
    let done = DispatchSemaphore(value: 0)
    let task = session.dataTask(with: urlRequest)
    delegate.begin(task, done)
    task.resume()
    let timedOut = "timed out: no answer from \(host) within \(String(format: "%g", request.timeout)) s"
    // URLSession honours the timeout between bytes; this bounds the whole exchange.
    if done.wait(timeout: .now() + request.timeout) == .timedOut {
        task.cancel()
        _ = done.wait(timeout: .now() + 1)
        _ = delegate.finish()
        return ["error": timedOut]
    }
    let (response, data, error) = delegate.finish()
    if let error { return ["error": describe(error, host: host, timeout: request.timeout)] }
    guard let response else { return ["error": "no HTTP response from \(host)"] }
    let text = String(decoding: data.prefix(200), as: UTF8.self)
    var answer: [String: Any] = [
        "status": response.statusCode, "body": text.trimmingCharacters(in: .whitespacesAndNewlines),
    ]
    if let value = response.value(forHTTPHeaderField: "Retry-After"), let seconds = retryAfterSeconds(value) {
        answer["retry_after"] = seconds
    }
    if let location = response.value(forHTTPHeaderField: "Location") { answer["location"] = location }
    return answer
}

/// A `--serve` request line, or `nil` when it is not one.
func parseRequestLine(_ line: Data) -> Request? {
    guard let object = try? JSONSerialization.jsonObject(with: line) as? [String: Any],
        let text = object["url"] as? String, let url = URL(string: text),
        let timeout = (object["timeout"] as? NSNumber)?.doubleValue, timeout > 0,
        let body = object["body"] as? String
    else { return nil }
    return Request(url: url, timeout: timeout, body: Data(body.utf8))
}

if CommandLine.arguments.dropFirst().first == "--serve" {
    var buffer = Data()
    let input = FileHandle.standardInput
    while true {
        let chunk = input.availableData
        if chunk.isEmpty { break }
        buffer.append(chunk)
        while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
            let line = buffer[buffer.startIndex..<newline]
            buffer = Data(buffer[(newline + 1)...])
            if let request = parseRequestLine(Data(line)) {
                report(post(request))
            } else {
                report(["error": "runbook-http: a request line must be {\"url\", \"timeout\", \"body\"}"])
            }
        }
    }
    exit(0)
}

let input = FileHandle.standardInput.readDataToEndOfFile()
let lines = input.split(separator: UInt8(ascii: "\n"), maxSplits: 2, omittingEmptySubsequences: false)
guard lines.count == 3, let url = URL(string: String(decoding: lines[0], as: UTF8.self)),
    let timeout = TimeInterval(String(decoding: lines[1], as: UTF8.self)), timeout > 0
else {
    report(["error": "runbook-http: expected the URL, the timeout and the body on stdin"])
    exit(2)
}
report(post(Request(url: url, timeout: timeout, body: Data(lines[2]))))
exit(0)
