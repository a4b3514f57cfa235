import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Posts a JSON body with a short timeout and classifies the answer for the outbox.
struct HTTPPoster: Sendable {
    /// Upper bound on one attempt, connect to last byte.
    var timeout: TimeInterval

    /// 2xx → sent; 429 and 5xx → retryable; other statuses → permanent; transport errors → retryable.
    func post(_ body: Data, to url: URL) -> DeliveryResult {
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.httpBody = body
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("runbook", forHTTPHeaderField: "User-Agent")
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        let box = ResultBox()
        let done = DispatchSemaphore(value: 0)
        let task = session.dataTask(with: request) { [timeout] data, response, error in
            box.set(HTTPPoster.classify(data: data, response: response, error: error, url: url, timeout: timeout))
            done.signal()
        }
        task.resume()
        // URLSession honours the timeout; the extra second only guards against a stuck transfer.
        if done.wait(timeout: .now() + timeout + 1) == .timedOut {
            task.cancel()
            return .retryable(
                error: "no answer from \(url.host ?? "the server") within \(String(format: "%g", timeout)) s")
        }
        return box.get() ?? .retryable(error: "no answer")
    }

    static func classify(
        data: Data?, response: URLResponse?, error: (any Error)?, url: URL? = nil, timeout: TimeInterval = 0
    ) -> DeliveryResult {
        if let error { return .retryable(error: describe(error, url: url, timeout: timeout)) }
        guard let http = response as? HTTPURLResponse else { return .retryable(error: "no HTTP response") }
        let body = String(decoding: (data ?? Data()).prefix(200), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let detail = body.isEmpty ? "HTTP \(http.statusCode)" : "HTTP \(http.statusCode): \(body)"
        switch http.statusCode {
        case 200..<300: return .sent(detail: "HTTP \(http.statusCode)")
        case 429, 500..<600: return .retryable(error: detail)
        default: return .permanent(error: detail)
        }
    }

    /// What went wrong in words an on-call engineer reads in the transcript (Foundation's own text on Linux is
    /// "The operation could not be completed", whatever the cause).
    static func describe(_ error: any Error, url: URL?, timeout: TimeInterval) -> String {
        let host = url?.host ?? "the server"
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

    private final class ResultBox: @unchecked Sendable {
        private let lock = NSLock()
        private var value: DeliveryResult?
        func set(_ result: DeliveryResult) { lock.withLock { value = result } }
        func get() -> DeliveryResult? { lock.withLock { value } }
    }
}
