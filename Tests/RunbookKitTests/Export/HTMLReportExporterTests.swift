import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

@Suite struct HTMLReportExporterTests {
    /// A stand-in bundle: what matters here is that it is inlined, hashed and escaped around, not what it does.
    static let bundle = ReplayBundle(script: "window.replayed = true;", stylesheet: ".xterm{color:red}")

    private func html(
        _ store: InMemoryTranscriptStore, id: Int64,
        replay: Result<ReplayBundle, ReplayBundle.Absence> = .success(bundle),
        lines: Int = 20
    ) throws -> String {
        let exporter = HTMLReportExporter(outputLines: lines, replay: replay)
        return String(
            decoding: try exporter.render(IncidentTranscript.load(incidentID: id, from: store)), as: UTF8.self)
    }

    private func sample() throws -> String {
        let store = InMemoryTranscriptStore()
        return try html(store, id: try SampleIncident.record(into: store))
    }

    /// A declared incident for the escaping tests; `body` adds its events.
    private func incident(
        title: String, _ body: (InMemoryTranscriptStore, Int64) throws -> Void = { _, _ in }
    ) throws -> String {
        let store = InMemoryTranscriptStore()
        let (incident, _) = try store.declareIncident(
            IncidentDeclaration(title: title, runbook: "r", environment: "e", severity: .p3, host: "h", user: "u"),
            actor: "u@h", at: SampleIncident.start)
        try body(store, incident.id)
        return try html(store, id: incident.id)
    }

    /// The page's Content-Security-Policy, its character references read.
    static func policy(of page: String) -> String? {
        page.components(separatedBy: "http-equiv=\"Content-Security-Policy\" content=\"").dropFirst().first?
            .components(separatedBy: "\"").first?.replacingOccurrences(of: "&#39;", with: "'")
    }

    private func count(_ needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    @Test func aNoteWithAScriptElementIsShownAsText() throws {
        let page = try incident(title: "t") { store, id in
            _ = try store.append(
                EventDraft(.noteAdded, payload: ["text": "<script>alert(1)</script> & <img src=x onerror=alert(2)>"]),
                to: id, actor: "u@h", at: SampleIncident.start.addingTimeInterval(5))
        }
        #expect(!page.contains("<script>alert"))
        #expect(!page.contains("<img"))
        #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(2)&gt;"))
    }

    @Test func aTitleWithQuotesStaysInsideItsElementsAndAttributes() throws {
        let page = try incident(title: "Say \"hi\" & 'bye' <b>\nsecond line")
        #expect(
            page.contains("<title>Postmortem: Say &quot;hi&quot; &amp; &#39;bye&#39; &lt;b&gt; ↵ second line</title>"))
        #expect(page.contains("<h1>Postmortem: Say &quot;hi&quot; &amp; &#39;bye&#39; &lt;b&gt; ↵ second line</h1>"))
        #expect(!page.contains("<b>"))
    }

    @Test func outputThatClosesTheScriptElementStaysInTheReplayData() throws {
        let store = InMemoryTranscriptStore()
        let (incident, _) = try store.declareIncident(
            IncidentDeclaration(title: "t", runbook: "r", environment: "e", severity: .p3, host: "h", user: "u"),
            actor: "u@h", at: SampleIncident.start)
        let started = try store.append(
            EventDraft(.commandStarted, payload: ["command": "cat page.html"]), to: incident.id, actor: "u@h",
            at: SampleIncident.start.addingTimeInterval(1))
        let hostile = "</script><script>alert(1)</script><!-- </SCRIPT >\n"
        try store.appendOutput(
            [OutputChunk(offset: 0.1, data: Data(hostile.utf8))], incidentID: incident.id,
            commandSequence: started.sequence)
        let page = try html(store, id: incident.id)
        // Exactly the two script elements of the page end: the data block and the bundle.
        #expect(count("</script", in: page.lowercased()) == 2, "\(page)")
        #expect(count("<script", in: page.lowercased()) == 2)
        #expect(!page.contains("<!-- </SCRIPT"))
        // The data block reads back as the recording with the output whole.
        let start = try #require(page.range(of: "id=\"replay-data\">\n"))
        let end = try #require(page.range(of: "</script>", range: start.upperBound..<page.endIndex))
        let frames = try page[start.upperBound..<end.lowerBound].split(separator: "\n").dropFirst().map {
            try JSONValue(parsing: String($0))
        }
        let output = frames.compactMap { frame -> String? in
            guard case .array(let items) = frame, items.count == 3 else { return nil }
            return items[2].stringValue
        }.joined()
        #expect(output.contains("</script><script>alert(1)</script><!-- </SCRIPT >"))
        // The static output shows it as text.
        #expect(page.contains("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;!-- &lt;/SCRIPT &gt;"))
    }

    @Test func theGeneratorMarkerComesBeforeAnythingFromTheTranscript() throws {
        let page = try sample()
        let exporter = HTMLReportExporter(replay: .success(Self.bundle))
        let marker = try #require(page.range(of: exporter.generatorMarker))
        #expect(page.utf8.distance(from: page.startIndex, to: marker.upperBound) < ExportFile.markerWindow)
        #expect(page.hasPrefix("<!DOCTYPE html>\n"))
    }

    @Test func theContentSecurityPolicyAllowsOnlyTheInlinedScriptAndStylesByHash() throws {
        let page = try sample()
        let policy = try #require(Self.policy(of: page))
        #expect(policy.hasPrefix("default-src 'none'; style-src 'sha256-"))
        #expect(policy.contains("; script-src 'sha256-"))
        #expect(!policy.contains("unsafe"))
        // The script's hash is the bundle's (`python3 -c 'hashlib.sha256(b"window.replayed = true;")'`, base64),
        // what the browser computes over the element's text.
        #expect(policy.contains("script-src 'sha256-7Ukf4obMCVf8IdrfLY/egdarSKI1L1ldbNQWV6XX0oI='"))
        #expect(page.contains("<script>window.replayed = true;</script>"))
        #expect(page.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"))
        // No address to fetch anything from.
        for needle in ["http://", "https://", " src=", "<link", "@import", "url("] {
            #expect(!page.contains(needle), "\(needle)")
        }
    }

    @Test func colouredOutputBecomesSpansWithColourClasses() throws {
        let page = try sample()
        #expect(page.contains("api-1   0/1     <span class=\"f1\">CrashLoopBackOff</span>\n"))
        #expect(page.contains("<span class=\"f1 b\">FAILED</span> rollback\n"))
        #expect(page.contains(".f1{color:#cc0000}"))
        // Not UTF-8: replaced and said.
        #expect(page.contains("bad\u{FFFD}\u{FFFD} bytes"))
        #expect(page.contains("Bytes that are not UTF-8 are shown as �."))
    }

    @Test func eachCommandHasAReplayStartingAtItsStartTime() throws {
        let page = try sample()
        #expect(
            page.contains(
                "<div class=\"replay\" id=\"replay-1\" data-at=\"31.000000\" data-after=\"0.000000\" "
                    + "data-before=\"151.000000\">"))
        #expect(
            page.contains("<div class=\"replay\" id=\"replay-2\" data-at=\"151.000000\" data-after=\"31.000000\">"))
        #expect(page.contains("<script type=\"application/x-asciicast\" id=\"replay-data\">\n{"))
    }

    @Test func withoutABundleTheStaticOutputStaysAndTheReplayIsReplacedByANote() throws {
        let store = InMemoryTranscriptStore()
        let id = try SampleIncident.record(into: store)
        let page = try html(store, id: id, replay: .failure(ReplayBundle.Absence(reason: "none here")))
        #expect(!page.lowercased().contains("<script"))
        #expect(Self.policy(of: page)?.contains("script-src 'none'") == true)
        #expect(count("<p class=\"replay-note\">No replay: this report was written without", in: page) == 2)
        #expect(page.contains("<span class=\"f1\">CrashLoopBackOff</span>"))
        #expect(!page.contains("none here"), "the exporting machine's details stay out of the report")
    }

    @Test func theSectionsOfThePostmortemAreThere() throws {
        let page = try sample()
        for id in [
            "metrics", "summary", "impact", "detection", "root-causes", "went-well", "lucky", "action-items",
            "key-moments", "timeline", "commands", "notes",
        ] {
            #expect(page.contains("<section id=\"\(id)\">"), "\(id)")
        }
        let rows = count("\n<tr class=\"", in: page)
        #expect(rows == 17, "one timeline row per event, and one per command (not four)")
        #expect(page.contains("<td data-label=\"Event\">Severity P2 → P1: errors spreading to | payments</td>"))
        #expect(page.contains("<p>Edited before running; the runbook said:</p>"))
    }

    @Test func longOutputKeepsTheFirstAndLastLinesInTheirColours() throws {
        let store = InMemoryTranscriptStore()
        let (incident, _) = try store.declareIncident(
            IncidentDeclaration(title: "t", runbook: "r", environment: "e", severity: .p3, host: "h", user: "u"),
            actor: "u@h", at: SampleIncident.start)
        let started = try store.append(
            EventDraft(.commandStarted, payload: ["command": "seq"]), to: incident.id, actor: "u@h",
            at: SampleIncident.start.addingTimeInterval(1))
        // Green starts in a line that is left out and lasts into the last lines; chunks split lines.
        var text = (1...100).map { $0 == 50 ? "\u{1B}[32m50" : "\($0)" }.joined(separator: "\n") + "\n"
        text += String(repeating: "x", count: 20_000) + "\n"
        let data = Data(text.utf8)
        try store.appendOutput(
            [OutputChunk(offset: 0, data: data.prefix(7)), OutputChunk(offset: 1, data: data.dropFirst(7))],
            incidentID: incident.id, commandSequence: started.sequence)
        let page = try html(store, id: incident.id, lines: 2)
        #expect(page.contains("Output (101 lines, first and last 2 shown):"))
        #expect(page.contains("<pre class=\"output\">1\n2\n<span class=\"cut\">[… 97 lines left out …]</span>\n"))
        #expect(page.contains("<span class=\"f2\">100</span>\n<span class=\"f2\">"))
        let cut = 20_000 - 16 * 1024
        #expect(
            page.contains("</span><span class=\"cut\">[… \(cut) more bytes of this line left out …]</span>\n</pre>"))
    }

    @Test func theReplayBundleIsFoundByEnvironmentThenBesideTheBinary() throws {
        #expect(
            ReplayBundle.searchPath(environment: [:], executablePath: "/usr/local/bin/runbook") == [
                "/usr/local/share/runbook/replay", "/usr/local/bin/runbook-replay",
            ])
        #expect(
            ReplayBundle.searchPath(environment: ["RUNBOOK_REPLAY_DIR": "/opt/r"], executablePath: "/x/runbook") == [
                "/opt/r"
            ])
        #expect(throws: ReplayBundle.Absence.self) {
            try ReplayBundle.locate(environment: ["RUNBOOK_REPLAY_DIR": ""], executablePath: "/x/runbook")
        }
        let directory = NSTemporaryDirectory() + "replay-" + UUID().uuidString
        try FileManager.default.createDirectory(
            atPath: directory + "/bin/runbook-replay", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            _ = try ReplayBundle.locate(environment: [:], executablePath: directory + "/bin/runbook")
            Issue.record("found a bundle in an empty directory")
        } catch let absence as ReplayBundle.Absence {
            #expect(absence.reason.contains(directory + "/bin/runbook-replay"))
        }
        try Data("var a = 1;".utf8).write(to: URL(fileURLWithPath: directory + "/bin/runbook-replay/replay.js"))
        try Data(".xterm{}".utf8).write(to: URL(fileURLWithPath: directory + "/bin/runbook-replay/xterm.css"))
        let found = try ReplayBundle.locate(environment: [:], executablePath: directory + "/bin/runbook")
        #expect(found == ReplayBundle(script: "var a = 1;", stylesheet: ".xterm{}"))
        // A bundle that would end its element is refused, not inlined.
        try Data("var a = '</script>';".utf8).write(
            to: URL(fileURLWithPath: directory + "/bin/runbook-replay/replay.js"))
        #expect(throws: ReplayBundle.Absence.self) {
            try ReplayBundle.locate(environment: [:], executablePath: directory + "/bin/runbook")
        }
    }
}
