import Foundation
import RunbookTestSupport

/// Headless chromium driven live through Debian's `chromedriver` (W3C WebDriver: JSON over HTTP on loopback), so a
/// test can open a page, let it run, and read its DOM while it changes, without reloading it. Every call is
/// bounded (RawHTTP's read time-out, the script time-out).
final class WebDriver {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
    static let isAvailable = chromium != nil && ExternalTool.isAvailable("chromedriver")

    let driver: Process
    let port: Int
    let session: String

    /// Starts chromedriver and one headless chromium session with a window of `size` (`width,height`).
    init(size: String = "1000,1400") throws {
        port = try RawHTTP.freePort()
        driver = Process()
        driver.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        driver.arguments = ["chromedriver", "--port=\(port)", "--allowed-ips=127.0.0.1"]
        driver.standardOutput = FileHandle.nullDevice
        driver.standardError = FileHandle.nullDevice
        try driver.run()
        do {
            session = try Self.startSession(port: port, size: size)
        } catch {
            kill(driver.processIdentifier, SIGKILL)
            driver.waitUntilExit()
            throw error
        }
        _ = try call("POST", "/timeouts", ["script": 10_000, "pageLoad": 20_000])
    }

    /// Waits for chromedriver, then opens a session; its id.
    private static func startSession(port: Int, size: String) throws -> String {
        try waitUntil("chromedriver to answer on port \(port)") {
            (try? Self.exchange(port: port, "GET", "/status", body: Data()))?.status == 200
        }
        let capabilities: [String: Any] = [
            "capabilities": [
                "alwaysMatch": [
                    "browserName": "chrome",
                    "goog:chromeOptions": [
                        "binary": Self.chromium!,
                        "args": [
                            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                            "--window-size=\(size)", "--hide-scrollbars",
                        ],
                    ],
                ]
            ]
        ]
        let created = try Self.call(port: port, "POST", "/session", capabilities)
        return try requireValue((created["value"] as? [String: Any])?["sessionId"] as? String, "\(created)")
    }

    deinit {
        _ = try? call("DELETE", "", nil)
        // chromedriver does not stop on SIGTERM.
        kill(driver.processIdentifier, SIGKILL)
        driver.waitUntilExit()
    }

    /// Opens `url`.
    func open(_ url: String) throws {
        _ = try call("POST", "/url", ["url": url])
    }

    /// The value of a synchronous script.
    func run(_ script: String) throws -> Any? {
        try call("POST", "/execute/sync", ["script": script, "args": [] as [Any]])["value"]
    }

    /// The value an asynchronous script passes to its callback (`arguments[0]`), within the script time-out.
    func runAsync(_ script: String) throws -> Any? {
        try call("POST", "/execute/async", ["script": script, "args": [] as [Any]])["value"]
    }

    /// A PNG of the window.
    func screenshot() throws -> Data {
        let encoded = try requireValue(try call("GET", "/screenshot", nil)["value"] as? String, "no screenshot")
        return try requireValue(Data(base64Encoded: encoded), "not base64")
    }

    private func call(_ method: String, _ path: String, _ body: [String: Any]?) throws -> [String: Any] {
        try Self.call(port: port, method, "/session/\(session)\(path)", body)
    }

    private static func call(port: Int, _ method: String, _ path: String, _ body: [String: Any]?) throws
        -> [String: Any]
    {
        let data = try body.map { try JSONSerialization.data(withJSONObject: $0) } ?? Data()
        let reply = try exchange(port: port, method, path, body: data)
        let object = try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any] ?? [:]
        guard reply.status == 200 else { throw RawHTTP.Failure("\(method) \(path): \(reply.status) \(reply.body)") }
        return object
    }

    /// One request, and its reply read as far as its `Content-Length` (chromedriver says `Connection: close` and
    /// keeps the connection open).
    static func exchange(port: Int, _ method: String, _ path: String, body: Data) throws -> (status: Int, body: String)
    {
        let connection = try RawHTTP(port: port, timeout: 30)
        let head =
            "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(body.count)\r\n\r\n"
        connection.send(Data(head.utf8) + body)
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            if let end = data.range(of: Data("\r\n\r\n".utf8)) {
                let headText = String(decoding: data[..<end.lowerBound], as: UTF8.self).lowercased()
                let length =
                    headText.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                if data.count - end.upperBound >= length {
                    let reply = RawHTTP.parse(data)
                    return (reply.status, String(decoding: data[end.upperBound...].prefix(length), as: UTF8.self))
                }
            }
            let count = recv(connection.descriptor, &buffer, buffer.count, 0)
            guard count > 0 else { throw RawHTTP.Failure("\(method) \(path): no reply (errno \(errno))") }
            data.append(contentsOf: buffer[0..<count])
        }
    }

}

/// `value`, or a thrown failure saying `what`.
func requireValue<T>(_ value: T?, _ what: @autoclosure () -> String) throws -> T {
    guard let value else { throw RawHTTP.Failure("missing: \(what())") }
    return value
}
