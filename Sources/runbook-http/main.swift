// runbook-http: posts JSON notifications for `runbook`'s Slack and PagerDuty notifiers.
//
// It is a separate program so that `runbook` itself never loads an HTTP stack (SwiftNIO, BoringSSL), which would
// lengthen the time from `runbook start` to the first step. The escalator keeps a few of these running (`--serve`).
// Requests are made with AsyncHTTPClient: FoundationNetworking's URLSession (libcurl) spun at about 60% of a core
// for every request left waiting on a server that does not answer, so one hanging webhook slowed every channel.
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
import AsyncHTTPClient
import Foundation
import NIOCore

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
/// What went wrong, in words an on-call engineer reads in the transcript.
func describe(_ error: any Error, host: String, timeout: TimeInterval) -> String {
    let text = String(describing: error)
    let lower = text.lowercased()
    if let client = error as? HTTPClientError,
        [.deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout].contains(client)
    {
        return "timed out: no answer from \(host) within \(String(format: "%g", timeout)) s"
    }
    if lower.contains("refused") { return "network error: cannot connect to \(host) (connection refused)" }
    if lower.contains("dns") || lower.contains("resolve") || lower.contains("getaddrinfo")
        || lower.contains("name or service not known")
    {
        return "network error: cannot resolve \(host)"
    }
    if lower.contains("ssl") || lower.contains("tls") || lower.contains("certificate") {
        return "network error: the TLS connection to \(host) failed"
    }
    if lower.contains("reset") || lower.contains("closed") || lower.contains("eof") {
        return "network error: the connection to \(host) was lost"
    }
    return "network error: \(host): \(text)"
}

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
/// One client for the process: connections are kept between requests, redirects are never followed.
let client = HTTPClient(
    eventLoopGroupProvider: .singleton,
    configuration: HTTPClient.Configuration(redirectConfiguration: .disallow))

/// Posts one request and returns its report; requests are made one at a time.
func post(_ request: Request) -> [String: Any] {
    let host = request.url.host ?? "the server"
    do {
        var outgoing = try HTTPClient.Request(url: request.url.absoluteString, method: .POST)
        outgoing.headers.add(name: "Content-Type", value: "application/json")
        outgoing.headers.add(name: "User-Agent", value: "runbook")
        outgoing.body = .byteBuffer(ByteBuffer(bytes: request.body))
        // The deadline bounds the whole exchange, connect to last byte.
        let deadline = NIODeadline.now() + .milliseconds(Int64((request.timeout * 1000).rounded()))
        let response = try client.execute(request: outgoing, deadline: deadline).wait()
        let text = response.body.map { String(buffer: $0) } ?? ""
        var answer: [String: Any] = [
            "status": Int(response.status.code),
            "body": String(text.prefix(200)).trimmingCharacters(in: .whitespacesAndNewlines),
        ]
        if let value = response.headers.first(name: "Retry-After"), let seconds = retryAfterSeconds(value) {
            answer["retry_after"] = seconds
        }
        if let location = response.headers.first(name: "Location") { answer["location"] = location }
        return answer
    } catch {
        return ["error": describe(error, host: host, timeout: request.timeout)]
    }
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
