// runbook-http: posts one JSON notification for `runbook`'s Slack and PagerDuty notifiers.
//
// It is a separate program so that `runbook` itself never loads FoundationNetworking (libcurl and some thirty
// libraries it pulls in), which would double the time from `runbook start` to the first step. `runbook` starts it
// only to deliver a notification, from a background thread.
//
// Input on stdin (never arguments: a webhook URL is a secret, and arguments are visible to every user in `ps`):
//   line 1: the URL; line 2: the timeout in seconds; the rest: the JSON body.
// Output on stdout, one JSON object: {"status": CODE, "body": "first 200 bytes"} when the server answered,
// {"error": "what went wrong"} when it did not. Exit status 0 when it reported either, 2 on bad input.
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Prints one JSON object and exits.
func finish(_ object: [String: Any], status: Int32 = 0) -> Never {
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
    FileHandle.standardOutput.write(data + Data("\n".utf8))
    exit(status)
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

let input = FileHandle.standardInput.readDataToEndOfFile()
let lines = input.split(separator: UInt8(ascii: "\n"), maxSplits: 2, omittingEmptySubsequences: false)
guard lines.count == 3, let url = URL(string: String(decoding: lines[0], as: UTF8.self)),
    let timeout = TimeInterval(String(decoding: lines[1], as: UTF8.self)), timeout > 0
else {
    finish(["error": "runbook-http: expected the URL, the timeout and the body on stdin"], status: 2)
}
let body = Data(lines[2])
let host = url.host ?? "the server"

var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
request.httpMethod = "POST"
request.httpBody = body
request.setValue("application/json", forHTTPHeaderField: "Content-Type")
request.setValue("runbook", forHTTPHeaderField: "User-Agent")
let configuration = URLSessionConfiguration.ephemeral
configuration.timeoutIntervalForRequest = timeout
configuration.timeoutIntervalForResource = timeout
let session = URLSession(configuration: configuration)
let done = DispatchSemaphore(value: 0)
nonisolated(unsafe) var answer: [String: Any] = ["error": "no answer from \(host)"]
let task = session.dataTask(with: request) { data, response, error in
    if let error {
        answer = ["error": describe(error, host: host, timeout: timeout)]
    } else if let http = response as? HTTPURLResponse {
        let text = String(decoding: (data ?? Data()).prefix(200), as: UTF8.self)
        answer = ["status": http.statusCode, "body": text.trimmingCharacters(in: .whitespacesAndNewlines)]
    } else {
        answer = ["error": "no HTTP response from \(host)"]
    }
    done.signal()
}
task.resume()
// URLSession honours the timeout; the extra second only guards against a stuck transfer.
if done.wait(timeout: .now() + timeout + 1) == .timedOut {
    task.cancel()
    finish(["error": "timed out: no answer from \(host) within \(String(format: "%g", timeout)) s"])
}
finish(answer)
