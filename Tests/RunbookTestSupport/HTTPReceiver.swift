import Foundation
import RunbookKit

/// A real HTTP server on 127.0.0.1 (Python's `http.server`, ephemeral port) that records every POST and answers
/// with scripted statuses, for integration tests of the webhook notifiers.
public final class HTTPReceiver {
    /// The script, kept here so the test needs no resource files.
    static let script = #"""
        import json, sys, time
        from http.server import BaseHTTPRequestHandler, HTTPServer

        log_path, statuses = sys.argv[1], sys.argv[2].split(",")
        count = 0

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                global count
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status, *headers = statuses[min(count, len(statuses) - 1)].split("|")
                # "400echo": answer 400 with the request's own body, as an API that quotes what it refused does.
                echo = status.endswith("echo")
                status = status[:-4] if echo else status
                count += 1
                with open(log_path, "a") as log:
                    log.write(json.dumps({"path": self.path, "content_type": self.headers.get("Content-Type"),
                                          "body": body.decode("utf-8")}) + "\n")
                if status == "hang":
                    time.sleep(30)
                    return
                self.send_response(int(status))
                self.send_header("Content-Type", "application/json")
                for header in headers:
                    name, value = header.split(": ", 1)
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body if echo else b'{"status":"ok"}' if int(status) < 300 else b'{"status":"error"}')

            def log_message(self, *args):
                pass

        server = HTTPServer(("127.0.0.1", 0), Handler)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """#

    private let process = Process()
    private let directory: URL
    private let logURL: URL
    /// `http://127.0.0.1:PORT`.
    public let baseURL: URL

    /// Starts the server; `statuses` are answered in order, the last one repeating (`"hang"` never answers). A status
    /// may carry headers after `|`: `"503|Retry-After: 30"`, `"307|Location: http://127.0.0.1:1/elsewhere"`; a status
    /// ending in `echo` (`"400echo"`) answers with the request's body.
    public init(statuses: [String]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("receiver-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let scriptURL = directory.appendingPathComponent("receiver.py")
        try HTTPReceiver.script.write(to: scriptURL, atomically: true, encoding: .utf8)
        logURL = directory.appendingPathComponent("requests.jsonl")
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", scriptURL.path, logURL.path, statuses.joined(separator: ",")]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        // The first line is the port the kernel chose.
        var line = Data()
        while true {
            let byte = DescriptorReading.read(output.fileHandleForReading, upTo: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line.append(byte)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            process.terminate()
            throw CocoaError(.fileReadCorruptFile)
        }
        baseURL = URL(string: "http://127.0.0.1:\(port)")!
    }

    /// Every request received so far: path and parsed JSON body.
    public func requests() throws -> [(path: String, contentType: String?, body: [String: Any])] {
        guard let text = try? String(contentsOf: logURL, encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map { line in
            let entry = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            let body = try JSONSerialization.jsonObject(with: Data((entry["body"] as! String).utf8)) as! [String: Any]
            return (entry["path"] as! String, entry["content_type"] as? String, body)
        }
    }

    deinit {
        // SIGKILL: the child may inherit a mask that blocks SIGTERM from the test runner's threads.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }
}
