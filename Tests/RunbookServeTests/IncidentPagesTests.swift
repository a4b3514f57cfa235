import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

@testable import RunbookServe

/// The incident pages without a socket: a real SQLite store in a scratch file, the pages and their event stream
/// read directly.
@Suite struct IncidentPagesTests {
    static let token = "page-token-0123456789abcdef"

    struct Fixture {
        let directory: String
        let store: SQLiteTranscriptStore
        let pages: IncidentPages
        let incident: Incident

        init(title: String = "API errors") throws {
            directory = NSTemporaryDirectory() + "runbook-pages-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            store = try SQLiteTranscriptStore(path: directory + "/runbook.sqlite3")
            (incident, _) = try store.declareIncident(
                IncidentDeclaration(
                    title: title, runbook: "", environment: "production", severity: .p1, host: "h", user: "u"),
                actor: "u@h", at: Date())
            let token = IncidentPagesTests.token
            pages = IncidentPages(
                store: store, replay: .failure(.init(reason: "none in tests"))
            ) { $0 == "Bearer " + token }
        }

        @discardableResult
        func note(_ text: String) throws -> RecordedEvent {
            try store.append(
                EventDraft(.noteAdded, payload: ["text": .string(text)]), to: incident.id, actor: "u@h", at: Date())
        }
    }

    @Test func aHostileTitleAndNoteAreEscapedAndOnlyThePagesOwnScriptRuns() throws {
        let fixture = try Fixture(title: "<script>alert('title')</script>")
        try fixture.note("<img src=x onerror=alert(1)> & </script><script>alert(2)</script>")
        let reply = fixture.pages.incident(fixture.incident.id, access: .token, base: "/incidents/1")
        #expect(reply.status == 200)
        #expect(!reply.body.contains("<script>alert"), "\(reply.body)")
        #expect(!reply.body.contains("<img"))
        #expect(reply.body.contains("&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;"))
        #expect(reply.body.contains("&lt;img src=x onerror=alert(1)&gt; &amp; &lt;/script&gt;"))
        // The one script and the one style sheet carry the nonce the policy names.
        let policy = try #require(reply.headers.first { $0.0 == "Content-Security-Policy" }?.1)
        let nonce = try #require(policy.split(separator: "'").first { $0.hasPrefix("nonce-") }?.dropFirst(6))
        #expect(reply.body.components(separatedBy: "<script").count == 2)
        #expect(reply.body.contains("<script nonce=\"\(nonce)\">"))
        #expect(reply.body.contains("<style nonce=\"\(nonce)\">"))
        #expect(policy.hasPrefix("default-src 'none'; script-src 'nonce-\(nonce)'"))
        #expect(policy.contains("connect-src 'self'"))
    }

    @Test func theIndexListsOpenIncidentsNewestFirstForTheTokenOnly() throws {
        let fixture = try Fixture(title: "first <b>")
        _ = try fixture.store.declareIncident(
            IncidentDeclaration(
                title: "second", runbook: "", environment: "staging", severity: .p3, host: "h", user: "u"),
            actor: "u@h", at: Date().addingTimeInterval(60))
        let reply = fixture.pages.index(.token)
        #expect(reply.status == 200)
        let first = try #require(reply.body.range(of: "first &lt;b&gt;"))
        let second = try #require(reply.body.range(of: "second"))
        #expect(second.lowerBound < first.lowerBound)
        #expect(fixture.pages.index(.none).status == 401)
        #expect(fixture.pages.index(.shared(incidentID: fixture.incident.id)).status == 401)
    }

    @Test func accessIsTheTokenAsBearerOrCookie() throws {
        let fixture = try Fixture()
        let pages = fixture.pages
        #expect(pages.access(authorization: "Bearer \(Self.token)", cookie: nil) == .token)
        #expect(pages.access(authorization: nil, cookie: "a=b; runbook_token=\(Self.token)") == .token)
        #expect(pages.access(authorization: "Bearer wrong", cookie: "runbook_token=wrong") == .none)
        #expect(pages.access(authorization: nil, cookie: nil) == .none)
        let login = pages.login(token: Self.token)
        #expect(login.status == 303)
        #expect(login.headers.contains { $0.0 == "Set-Cookie" && $0.1.contains("HttpOnly; SameSite=Strict") })
        #expect(pages.login(token: "wrong").status == 401)
    }

    @Test func aShareLinkOpensOneIncidentUntilRevokedAndOnlyItsHashIsStored() throws {
        let fixture = try Fixture()
        let links = ShareLinks(store: fixture.store)
        let id = try links.create(incidentID: fixture.incident.id)
        #expect(id.count == 32)
        for file in [fixture.store.path, fixture.store.path + "-wal"] {
            let bytes = FileManager.default.contents(atPath: file) ?? Data()
            #expect(bytes.range(of: Data(id.utf8)) == nil, "only the hash is stored, not the id, in \(file)")
        }
        #expect(throws: TranscriptError.unknownIncident(id: 99, path: fixture.store.path)) {
            try links.create(incidentID: 99)
        }
        #expect(try fixture.pages.sharedIncident(id) == fixture.incident.id)
        let shared = IncidentPages.Access.shared(incidentID: fixture.incident.id)
        #expect(fixture.pages.incident(fixture.incident.id, access: shared, base: "/s/\(id)").status == 200)
        #expect(fixture.pages.incident(fixture.incident.id + 1, access: shared, base: "/s/\(id)").status == 404)
        // A wrong link, and the same link revoked.
        #expect(try fixture.pages.sharedIncident(String(repeating: "0", count: 32)) == nil)
        #expect(try fixture.pages.sharedIncident("../../etc/passwd") == nil)
        #expect(try links.revoke("http://example.com/s/\(id)"))
        #expect(try fixture.pages.sharedIncident(id) == nil)
        #expect(try !links.revoke(id))
    }

    /// What an open page's stream asks before each message: the link revoked ends it, a store that does not
    /// answer does not (nothing new can be read then either, and the page would not get its stream back); a page
    /// opened then is 503, not the 404 of a revoked link.
    @Test func anOpenStreamEndsWhenItsLinkIsRevokedNotWhenTheStoreFails() throws {
        let fixture = try Fixture()
        let links = ShareLinks(store: fixture.store)
        let id = try links.create(incidentID: fixture.incident.id)
        #expect(fixture.pages.linkStillOpens(id, fixture.incident.id))
        #expect(!fixture.pages.linkStillOpens(id, fixture.incident.id + 1))
        // Another process takes the table away: every look-up of a link fails.
        func sqlite(_ statement: String) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
            process.arguments = [fixture.store.path, statement]
            let result = try ProcessRunner.collect(process, stdin: nil, timeout: 30)
            #expect(result.status == 0, "\(result.stderr)")
        }
        try sqlite("ALTER TABLE share_links RENAME TO share_links_away")
        #expect(throws: (any Error).self) { try links.lookUp(id) }
        #expect(fixture.pages.linkStillOpens(id, fixture.incident.id))
        // A page opened on the link meanwhile says the store is down, not that the link is gone.
        guard case .failure(let unavailable) = fixture.pages.sharedAccess(id) else {
            Issue.record("a link looked up without its table")
            return
        }
        #expect(unavailable.reply.status == 503)
        // Why is for the token (the error names the store's file or server), not for whoever holds a link.
        #expect(unavailable.reply.body.contains("cannot be read right now"), "\(unavailable.reply.body)")
        #expect(!unavailable.reply.body.contains("share_links"), "\(unavailable.reply.body)")
        try sqlite("ALTER TABLE share_links_away RENAME TO share_links")
        #expect(try links.revoke(id))
        #expect(!fixture.pages.linkStillOpens(id, fixture.incident.id))
    }

    /// The messages of a stream until `done` says so, failing after `timeout` seconds.
    static func read(
        _ stream: AsyncStream<String>, timeout: TimeInterval = 10, until done: @escaping @Sendable (String) -> Bool
    ) async throws -> String {
        try await withThrowingTaskGroup(of: String?.self) { group in
            group.addTask {
                var text = ""
                for await message in stream {
                    text += message
                    if done(text) { return text }
                }
                return text
            }
            group.addTask {
                try await Task.sleep(for: .seconds(timeout))
                return nil
            }
            let first = try await group.next()!
            group.cancelAll()
            return try #require(first, "timed out after \(timeout) s")
        }
    }

    /// Live pages hold a connection each: past `max_streams` one more is refused with 503 and Retry-After, and
    /// a page that closes makes room.
    @Test func pastTheStreamLimitAPageIsRefusedUntilOneCloses() async throws {
        let fixture = try Fixture()
        let token = IncidentPagesTests.token
        let pages = IncidentPages(store: fixture.store, replay: .failure(.init(reason: "none")), maxStreams: 2) {
            $0 == "Bearer " + token
        }
        let first = try pages.events(fixture.incident.id, access: .token, after: 0).get()
        let reader = Task { for await _ in first {} }
        let second = try pages.events(fixture.incident.id, access: .token, after: 0).get()
        guard case .failure(let refused) = pages.events(fixture.incident.id, access: .token, after: 0) else {
            Issue.record("a third stream past a limit of 2")
            return
        }
        #expect(refused.reply.status == 503)
        #expect(refused.reply.headers.contains { $0.0 == "Retry-After" })
        #expect(refused.reply.body.contains("max_streams"))
        // The first page goes away: its stream ends with the task reading it.
        reader.cancel()
        _ = await reader.value
        let third = pages.events(fixture.incident.id, access: .token, after: 0)
        #expect((try? third.get()) != nil, "the closed stream's place is free")
        withExtendedLifetime(second) {}
    }

    @Test func theEventStreamResumesAfterLastEventIDAndSendsWhatComesNext() async throws {
        let fixture = try Fixture()
        try fixture.note("one")
        let second = try fixture.note("two <b>")
        let stream = try fixture.pages.events(fixture.incident.id, access: .token, after: second.sequence - 1).get()
        let caughtUp = try await Self.read(stream) { $0.contains("event: state") }
        #expect(!caughtUp.contains("id: 1\n"))
        #expect(!caughtUp.contains("id: \(second.sequence - 1)\n"))
        #expect(caughtUp.contains("id: \(second.sequence)\n"))
        #expect(caughtUp.contains("two &lt;b&gt;"), "the report's escaped row")
        #expect(caughtUp.contains("\"severity\":\"P1\""))
        let third = try fixture.note("three")
        let next = try await Self.read(stream) { $0.contains("id: \(third.sequence)\n") }
        #expect(next.contains("three"))
        #expect(!next.contains("id: \(second.sequence)\n"), "nothing twice")
    }

    @Test func anIncidentTheLinkDoesNotOpenHasNoStream() throws {
        let fixture = try Fixture()
        let other = IncidentPages.Access.shared(incidentID: fixture.incident.id + 5)
        guard case .failure(let error) = fixture.pages.events(fixture.incident.id, access: other, after: 0) else {
            Issue.record("a stream for another incident's link")
            return
        }
        #expect(error.reply.status == 404)
        guard case .failure(let refused) = fixture.pages.events(fixture.incident.id, access: .none, after: 0) else {
            Issue.record("a stream without access")
            return
        }
        #expect(refused.reply.status == 401)
    }

    @Test func commandOutputIsEscapedInItsColours() throws {
        let fixture = try Fixture()
        let started = try fixture.store.append(
            EventDraft(.commandStarted, payload: ["command": .string("echo '<x>'")]), to: fixture.incident.id,
            actor: "u@h", at: Date())
        try fixture.store.appendOutput(
            [OutputChunk(offset: 0.1, data: Data("\u{1B}[31m<red>\u{1B}[0m & done\nno newline".utf8))],
            incidentID: fixture.incident.id, commandSequence: started.sequence)
        _ = try fixture.store.append(
            EventDraft(.commandFinished, payload: ["exit_code": 0, "duration_ms": 10]), to: fixture.incident.id,
            actor: "u@h", at: Date())
        let body = fixture.pages.incident(fixture.incident.id, access: .token, base: "/incidents/1").body
        #expect(body.contains("<span class=\"f1\">&lt;red&gt;</span> &amp; done\nno newline\n"), "\(body)")
        #expect(body.contains("<code>$ echo &#39;&lt;x&gt;&#39;</code>"))
    }

    /// A command that runs for minutes (`kubectl logs -f`) holds nothing back: the page drawn while it runs shows
    /// its row as running and the notes recorded meanwhile; when it finishes, the stream sends its finished row
    /// with the same id, which the page's script puts in the running row's place.
    @Test func aRunningCommandHasItsRowAndNotesRecordedWhileItRunsAreNotHeldBack() async throws {
        let fixture = try Fixture()
        let started = try fixture.store.append(
            EventDraft(.commandStarted, stepID: "logs", payload: ["command": .string("kubectl logs -f api")]),
            to: fixture.incident.id, actor: "u@h", at: Date())
        let note = try fixture.note("error rate falling")
        let body = fixture.pages.incident(fixture.incident.id, access: .token, base: "/incidents/1").body
        let row = "<tr id=\"command-\(started.sequence)\" class=\"command-started\">"
        #expect(body.contains(row), "\(body)")
        #expect(body.contains("running kubectl logs -f api"))
        #expect(body.contains("error rate falling"), "a note recorded while the command runs is on the page")
        let stream = try fixture.pages.events(fixture.incident.id, access: .token, after: note.sequence).get()
        let finished = try fixture.store.append(
            EventDraft(.commandFinished, stepID: "logs", payload: ["exit_code": 0, "duration_ms": 61_000]),
            to: fixture.incident.id, actor: "u@h", at: Date())
        let sent = try await Self.read(stream) { $0.contains("id: \(finished.sequence)\n") }
        #expect(sent.contains(#"<tr id=\"command-\#(started.sequence)\" class=\"command-started\">"#), "\(sent)")
        #expect(sent.contains("ran kubectl logs -f api"))
        // The page's script replaces a row whose id it already has.
        #expect(IncidentPage.script.contains("replaceWith"))
    }
}
