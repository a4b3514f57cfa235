import Foundation
import RunbookTestSupport
import Testing

/// The incident pages of the built `runbook serve` on loopback: share links made and revoked by `runbook serve
/// share` in another process, the headers of every page, the event stream over HTTP, and headless chromium
/// watching a page while `runbook note` records in another process.
@Suite struct IncidentPageEndToEndTests {
    /// One GET with its head: status, the head's lines (lowercased names), the body as sent (chunked or not).
    static func get(_ port: Int, _ path: String, headers: [String: String] = [:]) throws -> (
        status: Int, head: String, body: String
    ) {
        let connection = try RawHTTP(port: port)
        var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        connection.send(Data((request + "\r\n").utf8))
        let text = String(decoding: try connection.readToEnd(), as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n\r\n")
        let status = RawHTTP.parse(Data(text.utf8)).status
        return (status, parts[0].lowercased(), parts.dropFirst().joined(separator: "\r\n\r\n"))
    }

    /// Declares an incident with a note through the CLI, on the service's store; its id.
    static func declare(_ serve: ServeProcess, title: String = "Checkout errors") throws -> Int64 {
        let declared = try serve.runbook([
            "declare", "--title", title, "--severity", "P1", "--env", "production",
        ])
        #expect(declared.status == 0, "\(declared.stderr)")
        let id = try #require(
            Int64(declared.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "\(declared.stdout)")
        return id
    }

    /// A new share link of incident `id`, made by `runbook serve share` in another process.
    static func share(_ serve: ServeProcess, _ id: Int64) throws -> String {
        let shared = try serve.runbook(["serve", "share", "\(id)"])
        #expect(shared.status == 0, "\(shared.stderr)")
        return shared.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func aShareLinkOpensThePageUntilRevokedAndEveryResponseCarriesThePolicy() throws {
        let serve = try ServeProcess()
        let id = try Self.declare(serve)
        let link = try Self.share(serve, id)
        #expect(link.range(of: #"^/s/[0-9a-f]{32}$"#, options: .regularExpression) != nil, "\(link)")

        let page = try Self.get(serve.port, link)
        #expect(page.status == 200)
        #expect(page.body.contains("Checkout errors"))
        for header in [
            "content-security-policy: default-src 'none'; script-src 'nonce-", "connect-src 'self'",
            "x-content-type-options: nosniff", "referrer-policy: no-referrer",
        ] {
            #expect(page.head.contains(header), "\(header) in \(page.head)")
        }
        // The link opens its own incident's report, and nothing else.
        #expect(try Self.get(serve.port, link + "/report").status == 200)
        #expect(try Self.get(serve.port, "/incidents/\(id)").status == 401, "a link is not the token")
        #expect(try Self.get(serve.port, "/").status == 401)
        let healthz = try Self.get(serve.port, "/healthz")
        #expect(healthz.head.contains("x-content-type-options: nosniff"))
        #expect(healthz.head.contains("content-security-policy: default-src 'none'"))

        // A wrong link, and the link once revoked from another process: 404, like a page that never was.
        #expect(try Self.get(serve.port, "/s/" + String(repeating: "a", count: 32)).status == 404)
        #expect(try Self.get(serve.port, "/s/not-a-link/events").status == 404)
        let revoked = try serve.runbook(["serve", "share", "--revoke", "http://runbook.example.com" + link])
        #expect(revoked.status == 0, "\(revoked.stderr)")
        #expect(try Self.get(serve.port, link).status == 404)
        #expect(try Self.get(serve.port, link + "/events").status == 404)
        let again = try serve.runbook(["serve", "share", "--revoke", link])
        #expect(again.status == 2)
        #expect(again.stderr.contains("no share link"))
    }

    /// A link revoked while a page is open on it (posted in the wrong channel, say): its event stream ends before
    /// anything recorded after the revocation reaches it. The link's id is a credential, so the request log names
    /// `/s/…`, never the id.
    @Test func aRevokedLinkEndsTheStreamOpenOnItAndItsIDIsNeverLogged() throws {
        let serve = try ServeProcess()
        let id = try Self.declare(serve)
        let link = try Self.share(serve, id)
        let connection = try RawHTTP(port: serve.port, timeout: 10)
        connection.send(Data("GET \(link)/events HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8))
        _ = try Self.read(connection) { $0.contains("event: state") }
        #expect(try serve.runbook(["note", "\(id)", "before the revocation"]).status == 0)
        _ = try Self.read(connection) { $0.contains("before the revocation") }

        let revoked = try serve.runbook(["serve", "share", "--revoke", link])
        #expect(revoked.status == 0, "\(revoked.stderr)")
        #expect(try serve.runbook(["note", "\(id)", "after the revocation"]).status == 0)
        // The stream ends (the service closes the connection): a stream that went on would time the read out.
        let rest = String(decoding: try connection.readToEnd(), as: UTF8.self)
        #expect(!rest.contains("after the revocation"), "\(rest)")
        #expect(rest.hasSuffix("0\r\n\r\n"), "the chunked stream is ended: \(rest.debugDescription)")

        let linkID = String(link.dropFirst(3))
        try waitUntil("the stream's request logged") { serve.live.text.contains("path=/s/…/events") }
        #expect(!serve.live.text.contains(linkID), "\(serve.live.text)")
    }

    /// Live pages are capped (`max_streams`): one more is 503 with Retry-After while the service goes on answering,
    /// and a page that closes makes room once the service writes to it again.
    @Test func pastMaxStreamsALivePageIsRefusedAndTheServiceGoesOn() throws {
        let serve = try ServeProcess(configuration: "max_streams: 1\n")
        let id = try Self.declare(serve)
        let request =
            "GET /incidents/\(id)/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
            + "\(ServeProcess.token)\r\nConnection: close\r\n\r\n"
        var open: RawHTTP? = try RawHTTP(port: serve.port, timeout: 10)
        open?.send(Data(request.utf8))
        _ = try Self.read(try #require(open)) { $0.contains("event: state") }

        let bearer = ["Authorization": "Bearer \(ServeProcess.token)"]
        let refused = try Self.get(serve.port, "/incidents/\(id)/events", headers: bearer)
        #expect(refused.status == 503, "\(refused.head)")
        #expect(refused.head.contains("retry-after: 60"), "\(refused.head)")
        #expect(refused.body.contains("max_streams"), "\(refused.body)")
        #expect(try Self.get(serve.port, "/healthz").status == 200)
        #expect(try Self.get(serve.port, "/incidents/\(id)", headers: bearer).status == 200)

        // The page closes. The service learns it when a write to that connection fails, the first or the second
        // after the close (the keep-alives of a quiet incident, within 30 s): notes make the writes here.
        open = nil
        try waitUntil("the closed page's place freed") {
            #expect(try serve.runbook(["note", "\(id)", "after the page closed"]).status == 0)
            let again = try RawHTTP(port: serve.port, timeout: 10)
            again.send(Data(request.utf8))
            let text = try Self.read(again) { $0.contains("\r\n\r\n") }
            return text.hasPrefix("HTTP/1.1 200")
        }
    }

    @Test func theTokenOpensEveryPageAsBearerOrCookieAndTheReportCarriesItsOwnPolicy() throws {
        let serve = try ServeProcess()
        let id = try Self.declare(serve)
        let bearer = ["Authorization": "Bearer \(ServeProcess.token)"]
        let index = try Self.get(serve.port, "/", headers: bearer)
        #expect(index.status == 200)
        #expect(index.body.contains("/incidents/\(id)"))
        let login = try Self.get(serve.port, "/login?token=\(ServeProcess.token)")
        #expect(login.status == 303)
        #expect(login.head.contains("set-cookie: runbook_token="))
        let cookie = ["Cookie": "runbook_token=\(ServeProcess.token)"]
        #expect(try Self.get(serve.port, "/incidents/\(id)", headers: cookie).status == 200)
        #expect(try Self.get(serve.port, "/incidents/\(id + 1)", headers: cookie).status == 404)
        let report = try Self.get(serve.port, "/incidents/\(id)/report", headers: bearer)
        #expect(report.status == 200)
        #expect(report.body.contains("Postmortem: Checkout errors"))
        #expect(report.head.contains("content-security-policy: default-src 'none'; style-src 'sha256-"))
    }

    @Test func theEventStreamOverHTTPResumesAfterLastEventID() throws {
        let serve = try ServeProcess()
        let id = try Self.declare(serve)
        var sequences: [Int] = []
        for text in ["first note", "second note"] {
            let note = try serve.runbook(["note", "\(id)", text])
            sequences.append(try #require(Int(note.stdout.trimmingCharacters(in: .whitespacesAndNewlines).dropFirst())))
        }
        let last = sequences[1]
        let connection = try RawHTTP(port: serve.port, timeout: 10)
        connection.send(
            Data(
                ("GET /incidents/\(id)/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                    + "\(ServeProcess.token)\r\nLast-Event-ID: \(sequences[0])\r\n\r\n").utf8))
        var text = try Self.read(connection) { $0.contains("event: state") }
        #expect(text.contains("text/event-stream"))
        #expect(text.contains("id: \(last)\n"))
        #expect(text.contains("second note"))
        #expect(!text.contains("first note"), "events up to Last-Event-ID are not sent again")
        #expect(try serve.runbook(["note", "\(id)", "third note"]).status == 0)
        text = try Self.read(connection) { $0.contains("third note") }
        #expect(text.contains("id: \(last + 1)\n"))
    }

    /// Reads from `connection` until `done` holds for what was read (throws when a read times out first).
    static func read(_ connection: RawHTTP, until done: (String) -> Bool) throws -> String {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while !done(String(decoding: data, as: UTF8.self)) {
            let count = recv(connection.descriptor, &buffer, buffer.count, 0)
            guard count > 0 else {
                throw RawHTTP.Failure(
                    "the stream ended or timed out; it sent: \(String(decoding: data, as: UTF8.self))")
            }
            data.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: data, as: UTF8.self)
    }

    @Test(
        .enabled(
            if: WebDriver.isAvailable,
            "chromium or chromedriver is not installed (apt-get install -y chromium chromium-driver)"))
    func chromiumSeesTheTimelineAndANoteFromAnotherProcessWithinTwoSecondsWithoutReload() throws {
        let serve = try ServeProcess()
        let id = try Self.declare(serve, title: "Checkout errors <script>alert(1)</script>")
        #expect(try serve.runbook(["ack", "\(id)"]).status == 0)
        let recorded = try BuiltBinary.run([
            "record", "--db", serve.scratch.database, "--incident", "\(id)", "--note", "checking the pods", "--",
            "printf 'api-1   0/1     \\033[31mCrashLoopBackOff\\033[0m\\napi-2   1/1     Running\\n'",
        ])
        #expect(recorded.status == 0, "\(recorded.stderr)")
        let link = try Self.share(serve, id)

        let browser = try WebDriver()
        try browser.open("http://127.0.0.1:\(serve.port)\(link)")
        // Connected, with the timeline drawn; a mark that a reload would lose.
        let ready = try browser.runAsync(
            """
            var done = arguments[0];
            window.noReload = "still here";
            (function wait() {
              if (document.getElementById("live").textContent === "live") { done(true); } else { setTimeout(wait, 20); }
            })();
            """)
        #expect(ready as? Bool == true)
        let timeline = try #require(try browser.run("return document.getElementById('timeline').innerText") as? String)
        #expect(timeline.contains("checking the pods"), "\(timeline)")
        #expect(timeline.contains("printf"), "the command's row")
        let output = try #require(try browser.run("return document.getElementById('outputs').innerHTML") as? String)
        #expect(output.contains("<span class=\"f1\">CrashLoopBackOff</span>"), "\(output)")
        let title = try #require(try browser.run("return document.querySelector('h1').textContent") as? String)
        #expect(title.contains("<script>alert(1)</script>"), "shown as text, not run")
        // Watch for the note before it is recorded, then record it in another process.
        _ = try browser.run(
            """
            new MutationObserver(function (changes, observer) {
              if (document.getElementById("timeline-rows").textContent.indexOf("seen live from the CLI") >= 0) {
                window.noteSeenAt = Date.now(); observer.disconnect();
              }
            }).observe(document.getElementById("timeline-rows"), {childList: true, subtree: true});
            """)
        let before = Date()
        let note = try serve.runbook(["note", "\(id)", "seen live from the CLI"])
        #expect(note.status == 0)
        let seenAt = try browser.runAsync(
            """
            var done = arguments[0];
            (function wait() { if (window.noteSeenAt) { done(window.noteSeenAt); } else { setTimeout(wait, 20); } })();
            """)
        let seen = try #require(
            (seenAt as? NSNumber)?.doubleValue, "the note never appeared: \(String(describing: seenAt))")
        let delay = seen / 1000 - before.timeIntervalSince1970
        #expect(delay < 2, "the note appeared \(delay) s after `runbook note` started")
        #expect(try browser.run("return window.noReload") as? String == "still here", "no reload")
        let png = try browser.screenshot()
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(png.count > 20_000, "a page with text, not a blank one")
        if ProcessInfo.processInfo.environment["RECORD_SCREENSHOTS"] == "1" {
            let docs = BuiltBinary.packageRoot.appendingPathComponent("docs/images/serve-incident.png")
            try? FileManager.default.removeItem(at: docs)
            try png.write(to: docs)
        }
    }

    /// A command that runs for a long time (`runbook record` in another process, waiting for a file): the page shows
    /// its row as running, a note recorded meanwhile appears at once, and when the command ends its row is
    /// replaced in place, never added twice.
    @Test(
        .enabled(
            if: WebDriver.isAvailable,
            "chromium or chromedriver is not installed (apt-get install -y chromium chromium-driver)"))
    func chromiumShowsARunningCommandThenReplacesItsRowWhenItEnds() throws {
        let serve = try ServeProcess()
        let id = try Self.declare(serve, title: "Slow logs")
        let flag = serve.scratch.directory.appendingPathComponent("finish").path
        let command = try LiveRunbook([
            "record", "--db", serve.scratch.database, "--incident", "\(id)", "--",
            "while [ ! -e \(flag) ]; do sleep 0.05; done; echo tail ended",
        ])
        defer { if command.process.isRunning { command.kill(SIGKILL) } }
        let browser = try WebDriver()
        let link = try Self.share(serve, id)
        try browser.open("http://127.0.0.1:\(serve.port)\(link)")
        let running = try browser.runAsync(
            """
            var done = arguments[0], started = Date.now();
            (function wait() {
              var row = document.querySelector("#timeline-rows tr.command-started");
              if (row && row.textContent.indexOf("running") >= 0) { done(row.id); }
              else if (Date.now() - started > 10000) { done(document.getElementById("timeline").innerText); }
              else { setTimeout(wait, 20); }
            })();
            """)
        let rowID = try #require(running as? String)
        #expect(rowID.hasPrefix("command-"), "no running row: \(rowID)")
        #expect(try serve.runbook(["note", "\(id)", "noted while it runs"]).status == 0)
        let noted = try browser.runAsync(
            """
            var done = arguments[0], started = Date.now();
            (function wait() {
              var text = document.getElementById("timeline-rows").textContent;
              if (text.indexOf("noted while it runs") >= 0 || Date.now() - started > 5000) { done(text); }
              else { setTimeout(wait, 20); }
            })();
            """)
        #expect((noted as? String)?.contains("noted while it runs") == true, "\(String(describing: noted))")
        FileManager.default.createFile(atPath: flag, contents: Data())
        #expect(try command.finish() == 0, "\(command.text)")
        let ended = try browser.runAsync(
            """
            var done = arguments[0], started = Date.now();
            (function wait() {
              var rows = document.querySelectorAll("#\(rowID)");
              if ((rows.length === 1 && rows[0].textContent.indexOf("ran ") >= 0) || Date.now() - started > 10000) {
                done(rows.length + " " + document.getElementById("timeline-rows").textContent);
              } else { setTimeout(wait, 20); }
            })();
            """)
        let text = try #require(ended as? String)
        #expect(text.hasPrefix("1 "), "\(text)")
        #expect(text.contains("ran while"), "\(text)")
        #expect(!text.contains("running"), "\(text)")
    }
}
