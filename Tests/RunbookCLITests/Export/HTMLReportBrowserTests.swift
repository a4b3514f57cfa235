import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// The HTML report in a real browser: the built binary exports the sample incident with the replay bundle that
/// `scripts/build-xterm-bundle` builds from Debian's node-xterm, and headless chromium loads it, plays a step's
/// replay (`#replay-N` in the address plays it on load) and prints the DOM once its scripts ran. Without chromium,
/// or without esbuild and node-xterm, the tests show as skipped with the reason (`.ci/run` installs all three).
@Suite struct HTMLReportBrowserTests {
    static let chromium = ["chromium", "chromium-browser", "google-chrome"].first(where: ExternalTool.isAvailable)
    static let canBuildBundle =
        ExternalTool.isAvailable("esbuild")
        && FileManager.default.fileExists(atPath: "/usr/share/nodejs/xterm/lib/public/Terminal.js")

    /// A scratch directory with the replay bundle built into `bundle/` and the sample incident exported to
    /// `report.html`.
    struct Export {
        let directory: String
        var report: String { directory + "/report.html" }

        /// `record` writes the incident into the scratch database (the sample incident when not given).
        init(record: ((any TranscriptStore) throws -> Void)? = nil) throws {
            directory = NSTemporaryDirectory() + "runbook-html-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let build = Process()
            build.executableURL = BuiltBinary.packageRoot.appendingPathComponent("scripts/build-xterm-bundle")
            build.arguments = [directory + "/bundle"]
            let built = try ProcessRunner.collect(build, stdin: nil, timeout: 120)
            #expect(built.status == 0, "build-xterm-bundle: \(built.stderr)")
            let scratch: ScratchDatabase
            if let record {
                scratch = ScratchDatabase()
                try record(try SQLiteTranscriptStore(path: scratch.path))
            } else {
                scratch = try ExportGoldenTests.sampleDatabase()
            }
            let result = try scratch.run(
                ["export", "1", "--format", "html", "-o", report],
                environment: ["RUNBOOK_REPLAY_DIR": directory + "/bundle"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stderr.isEmpty, "the bundle was found: no note")
        }

        /// What chromium prints for `arguments` after loading the report (with `fragment`).
        func chromium(_ arguments: [String], fragment: String = "") throws -> BuiltBinary.Result {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            // Virtual time runs the replay's timers at once, as far as the budget (ms) goes.
            process.arguments =
                [
                    HTMLReportBrowserTests.chromium!, "--headless", "--no-sandbox", "--disable-gpu",
                    "--user-data-dir=\(directory)/profile", "--virtual-time-budget=120000",
                ] + arguments
                + ["file://\(report)\(fragment)"]
            return try ProcessRunner.collect(process, stdin: nil, timeout: 300)
        }
    }

    /// The DOM from the element with `id` to the first `</END>` after it (its own end tag when it nests none).
    private func element(_ end: String, id: String, in dom: String) throws -> String {
        let open = try #require(dom.range(of: "id=\"\(id)\""), "no #\(id)")
        let start = try #require(dom.range(of: "<", options: .backwards, range: dom.startIndex..<open.lowerBound))
        let end = try #require(dom.range(of: "</\(end)>", range: open.upperBound..<dom.endIndex))
        return String(dom[start.lowerBound..<end.upperBound])
    }

    @Test(
        .enabled(if: chromium != nil, "headless chromium is not installed (apt-get install -y chromium)"),
        .enabled(if: canBuildBundle, "esbuild or node-xterm is not installed (apt-get install -y esbuild node-xterm)"))
    func theReportRendersAndAStepsReplayPlaysInChromium() throws {
        let export = try Export()
        let result = try export.chromium(["--dump-dom"], fragment: "#replay-2")
        #expect(result.status == 0, "\(result.stderr.suffix(2000))")
        let dom = result.stdout
        #expect(!result.stderr.contains("Content Security Policy"), "\(result.stderr.suffix(2000))")

        // The sections and the timeline.
        for id in ["metrics", "summary", "impact", "key-moments", "timeline", "commands", "notes", "action-items"] {
            #expect(dom.contains("<section id=\"\(id)\">"), "\(id)")
        }
        let timeline = try element("section", id: "timeline", in: dom)
        // One row per command (its shown, approved, started and finished events make one), as in the Markdown.
        #expect(timeline.components(separatedBy: "<tr class=").count - 1 == 17)
        #expect(timeline.contains("Severity P2 → P1: errors spreading to | payments"))
        // A coloured output line, without the replay's help.
        let first = try element("article", id: "command-1", in: dom)
        #expect(first.contains("api-1   0/1     <span class=\"f1\">CrashLoopBackOff</span>"), "\(first)")

        // The replay of step 2 ran in xterm.js: its text is the rollback step from its marker on, not step 1.
        let replay = try element("details", id: "replay-2", in: dom)
        #expect(replay.contains("data-state=\"done\""), "\(replay.prefix(600))")
        #expect(replay.contains("class=\"xterm"), "xterm.js built its terminal")
        let screen = try #require(
            replay.components(separatedBy: "<pre class=\"screen-text\">").dropFirst().first?
                .components(separatedBy: "</pre>").first)
        let lines = screen.components(separatedBy: "\n")
        #expect(lines.contains("[2/3] Roll back the release"), "\(screen)")
        #expect(lines.contains("$ helm rollback api 40"), "\(screen)")
        #expect(lines.contains("FAILED rollback"), "\(screen)")
        #expect(lines.contains("[exit 1 (unexpected) · 2.25s]"), "\(screen)")
        #expect(!screen.contains("CrashLoopBackOff"), "step 1's output is not part of step 2's replay")
        // The other step's replay waits for its button.
        let other = try element("details", id: "replay-1", in: dom)
        #expect(!other.contains("data-state"))
        #expect(!other.contains("disabled"), "the script enabled the button")
    }

    /// Commands recorded without steps (`runbook record`) have no marker: each replay plays its own command, from
    /// its start to the next command's.
    @Test(
        .enabled(if: chromium != nil, "headless chromium is not installed (apt-get install -y chromium)"),
        .enabled(if: canBuildBundle, "esbuild or node-xterm is not installed (apt-get install -y esbuild node-xterm)"))
    func aCommandWithoutAStepReplaysFromItsOwnStart() throws {
        let export = try Export { store in
            let start = SampleIncident.start
            let (incident, _) = try store.declareIncident(
                IncidentDeclaration(
                    title: "Recorded", runbook: "", environment: "staging", severity: .p3, host: "h", user: "u"),
                actor: "u@h", at: start)
            for (index, word) in ["first", "second", "third"].enumerated() {
                let at = start.addingTimeInterval(Double(10 + 10 * index))
                let started = try store.append(
                    EventDraft(.commandStarted, payload: ["command": .string("echo \(word)")]), to: incident.id,
                    actor: "u@h", at: at)
                try store.appendOutput(
                    [OutputChunk(offset: 0.5, data: Data("\(word) output\n".utf8))], incidentID: incident.id,
                    commandSequence: started.sequence)
                _ = try store.append(
                    EventDraft(.commandFinished, payload: ["exit_code": 0, "duration_ms": 600]), to: incident.id,
                    actor: "u@h", at: at.addingTimeInterval(1))
            }
        }
        let result = try export.chromium(["--dump-dom"], fragment: "#replay-2")
        #expect(result.status == 0, "\(result.stderr.suffix(2000))")
        let replay = try element("details", id: "replay-2", in: result.stdout)
        #expect(replay.contains("data-state=\"done\""), "\(replay.prefix(600))")
        #expect(replay.contains("$ echo second\nsecond output\n[exit 0 · 0.60s]"), "\(replay)")
        #expect(!replay.contains("first output"))
        #expect(!replay.contains("third output"))
    }

    /// Takes the screenshots of docs/exports.md after step 2's replay: the whole page in a desktop window, and the
    /// top of the page on a phone-sized one; `RECORD_SCREENSHOTS=1` writes them into docs/images/. (The desktop
    /// window holds the whole page: headless chromium's screenshot of a page scrolled to a fragment is blank.)
    @Test(
        .enabled(if: chromium != nil, "headless chromium is not installed (apt-get install -y chromium)"),
        .enabled(if: canBuildBundle, "esbuild or node-xterm is not installed (apt-get install -y esbuild node-xterm)"))
    func screenshotsOfTheReportAreTaken() throws {
        let export = try Export()
        for (name, size, fragment) in [
            ("html-report.png", "1000,4600", "#replay-2"), ("html-report-phone.png", "390,1200", ""),
        ] {
            let path = export.directory + "/" + name
            let result = try export.chromium(
                ["--screenshot=\(path)", "--window-size=\(size)", "--hide-scrollbars"], fragment: fragment)
            #expect(result.status == 0, "\(result.stderr.suffix(2000))")
            let png = try #require(FileManager.default.contents(atPath: path), "\(result.stderr.suffix(2000))")
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
            #expect(png.count > 20_000, "a page with text and a terminal, not a blank one")
            if ProcessInfo.processInfo.environment["RECORD_SCREENSHOTS"] == "1" {
                let docs = BuiltBinary.packageRoot.appendingPathComponent("docs/images")
                try FileManager.default.createDirectory(at: docs, withIntermediateDirectories: true)
                try? FileManager.default.removeItem(at: docs.appendingPathComponent(name))
                try FileManager.default.copyItem(atPath: path, toPath: docs.appendingPathComponent(name).path)
            }
        }
    }
}
