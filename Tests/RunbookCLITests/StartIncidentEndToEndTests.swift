import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// `runbook start --incident ID` and `runbook resume ID` on an incident declared without a session (`runbook
/// declare`; `runbook serve` records its alerts as notes, written here through the store as its intake does):
/// the incident's runbook on its first step, the alert's labels offered as variable defaults, and the refusals.
@Suite struct StartIncidentEndToEndTests {
    static let crashLoop = """
        ---
        title: Pod crash loop
        environments: [production, staging]
        variables:
          NAMESPACE:
            prompt: Namespace
            default: default-ns
          POD:
            prompt: Pod
            pattern: "[a-z0-9-]+"
          RELEASE:
            prompt: Release
          API_TOKEN:
            secret: true
        ---
        # Pod crash loop

        ## Show where

        ```bash {id=where risk=read}
        echo "ns=$NAMESPACE pod=$POD release=$RELEASE"
        ```

        ## Use the token

        ```bash {id=token risk=read}
        echo "token length ${#API_TOKEN}"
        ```

        """

    static let other = """
        ---
        title: Other runbook
        ---
        # Other runbook

        ## Look elsewhere

        Check the dashboards.

        """

    let scratch: ScratchRunbooks

    init() throws {
        scratch = try ScratchRunbooks("start-incident")
        try Self.crashLoop.write(
            to: scratch.runbooks.appendingPathComponent("crashloop.md"), atomically: true, encoding: .utf8)
        try Self.other.write(
            to: scratch.runbooks.appendingPathComponent("other.md"), atomically: true, encoding: .utf8)
    }

    func runbook(_ arguments: [String], stdin: String? = nil) throws -> BuiltBinary.Result {
        try BuiltBinary.run(
            arguments + ["--runbooks", scratch.runbooks.path, "--db", scratch.database], stdin: stdin,
            currentDirectory: scratch.directory)
    }

    /// Declares an incident as `runbook declare` does; its id.
    func declare(runbook: String = "crashloop", env: String = "production") throws -> Int64 {
        let declared = try self.runbook(
            ["declare", "--title", "KubePodCrashLooping", "--severity", "P1", "--env", env, "--runbook", runbook])
        #expect(declared.status == 0, "\(declared.stderr)")
        return try #require(Int64(declared.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    /// Records an alert note as `runbook serve`'s intake does.
    func alert(_ id: Int64, _ fingerprint: String, status: String = "firing", labels: [String: String]) throws {
        let store = try SQLiteTranscriptStore(path: scratch.database)
        let alert: JSONValue = [
            "status": .string(status), "fingerprint": .string(fingerprint),
            "labels": .object(labels.mapValues { .string($0) }), "annotations": ["summary": "Pods are crash-looping"],
        ]
        _ = try store.append(
            EventDraft(
                .noteAdded,
                payload: [
                    "text": .string("alert \(status): KubePodCrashLooping"), "source": "alertmanager", "alert": alert,
                ]),
            to: id, actor: "runbook@serve", at: Date())
    }

    func events(_ id: Int64) throws -> [RecordedEvent] {
        try SQLiteTranscriptStore(readingEvidenceAt: scratch.database).events(incidentID: id)
    }

    @Test func startIncidentOffersTheFiringAlertsLabelsAndTheCommandGetsThemAsEnvironment() throws {
        let id = try declare()
        try alert(id, "old", labels: ["namespace": "old-ns", "pod": "old-pod"])
        try alert(
            id, "new",
            labels: [
                "Namespace": "payments", "pod": "api-7f9c", "release": "v2; touch PWNED", "api_token": "from-label",
            ])
        try alert(id, "gone", labels: ["namespace": "resolved-ns"])
        try alert(id, "gone", status: "resolved", labels: ["namespace": "resolved-ns"])
        // Enter accepts each offered default; the secret is typed.
        let answers = scratch.directory.appendingPathComponent("answers.txt")
        try "\n\n\ny\ns3cret\ny\nq\n".write(to: answers, atomically: true, encoding: .utf8)
        let result = try runbook(["start", "--incident", String(id), "--answers", answers.path])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("started on incident #\(id): KubePodCrashLooping · P1 · production"))
        #expect(result.stdout.contains("started by \(ResponderIdentity.current().user); nobody drove it before"))
        #expect(result.stdout.contains("Namespace (NAMESPACE) [default from alert label Namespace: payments]:"))
        #expect(result.stdout.contains("Pod (POD) [default from alert label pod: api-7f9c]:"))
        #expect(result.stdout.contains("ns=payments pod=api-7f9c release=v2; touch PWNED"), "\(result.stdout)")
        // The value reached the command as environment, never as its text.
        #expect(!FileManager.default.fileExists(atPath: scratch.directory.appendingPathComponent("PWNED").path))
        #expect(!result.stdout.contains("from-label"), "a secret variable is never offered a label")
        #expect(result.stdout.contains("token length 6"))
        let events = try events(id)
        let opened = try #require(events.first { $0.type == .runbookOpened })
        #expect(opened.payload["via"] == "attach" && opened.payload["runbook"] == "crashloop")
        let namespace = try #require(events.first { $0.type == .variableSet && $0.payload["name"] == "NAMESPACE" })
        #expect(namespace.payload["value"] == "payments")
        #expect(!events.contains { $0.type == .incidentDeclared && $0.sequence > 1 })
        #expect(
            try SQLiteTranscriptStore(readingEvidenceAt: scratch.database).incidents(
                openOnly: false, drillsOnly: false
            ).count == 1, "no second incident")
    }

    @Test func aTypedValueWinsAndAValueThePatternRefusesIsNotOffered() throws {
        let id = try declare()
        try alert(id, "a", labels: ["namespace": "payments", "pod": "Bad Pod!"])
        let result = try runbook(["start", "--incident", String(id)], stdin: "mine\nweb-1\nv1\ny\ntok\nq\n")
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("Pod (POD): "), "no default offered for POD")
        #expect(!result.stdout.contains("Bad Pod!"))
        #expect(result.stdout.contains("ns=mine pod=web-1"))
    }

    @Test func withoutAnAlertTheRunbooksDefaultIsOffered() throws {
        let id = try declare()
        let result = try runbook(["start", "--incident", String(id)], stdin: "\nweb-1\nv1\ny\ntok\nq\n")
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("Namespace (NAMESPACE) (default: default-ns):"))
        #expect(result.stdout.contains("ns=default-ns pod=web-1"))
    }

    @Test func resumeOnAFreshDeclaredIncidentOpensItsRunbookAndOffersTheLabels() throws {
        let id = try declare()
        try alert(id, "a", labels: ["namespace": "payments"])
        let result = try runbook(["resume", String(id)], stdin: "\nweb-1\nv1\ny\ntok\nq\n")
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("resumed incident #\(id): KubePodCrashLooping · P1 · production"))
        #expect(result.stdout.contains("started by \(ResponderIdentity.current().user); nobody drove it before"))
        #expect(result.stdout.contains("Show where"))
        #expect(result.stdout.contains("ns=payments pod=web-1"))
        // The next resume continues where this one stopped.
        let next = try runbook(["resume", String(id)], stdin: "tok\nq\n")
        #expect(next.status == 0, "\(next.stdout)\(next.stderr)")
        #expect(next.stdout.contains("Use the token"), "\(next.stdout)")
        #expect(next.stdout.contains("last driven by"), "\(next.stdout)")
    }

    @Test func anotherRunbookIsRecordedAsTheSwitchAndSeverityIsAChange() throws {
        let id = try declare()
        let result = try runbook(["start", "other", "--incident", String(id), "--severity", "P0"], stdin: "q\n")
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("started on incident #\(id): KubePodCrashLooping · P0"))
        let events = try events(id)
        let opened = try #require(events.first { $0.type == .runbookOpened })
        #expect(opened.payload["runbook"] == "other" && opened.payload["declared_runbook"] == "crashloop")
        let severity = try #require(events.first { $0.type == .severityChanged })
        #expect(severity.payload["from"] == "P1" && severity.payload["to"] == "P0")
        let transcript = try runbook(["transcript", String(id)])
        let switched =
            #"runbook.opened  "# + ResponderIdentity.current().actor
            + #"  {"declared_runbook":"crashloop","index":0,"runbook":"other","via":"attach"}"#
        #expect(transcript.stdout.contains(switched), "\(transcript.stdout)")
    }

    @Test func anIncidentWithoutARunbookIsRefusedByResumeAndGivenOneByStart() throws {
        let id = try declare(runbook: "")
        let resumed = try runbook(["resume", String(id)], stdin: "q\n")
        #expect(resumed.status == 5, "\(resumed.stdout)\(resumed.stderr)")
        #expect(resumed.stderr.contains("incident #\(id) has no runbook yet"))
        #expect(resumed.stderr.contains("runbook start RUNBOOK --incident \(id)"))
        let started = try runbook(["start", "crashloop", "--incident", String(id)], stdin: "q\n")
        #expect(started.status == 0, "\(started.stdout)\(started.stderr)")
        #expect(started.stdout.contains("Show where"))
    }

    @Test func refusals() throws {
        let id = try declare()
        let unknown = try runbook(["start", "--incident", "99"], stdin: "q\n")
        #expect(unknown.status == 5, "\(unknown.stderr)")
        #expect(unknown.stderr.contains("no incident #99"))
        let title = try runbook(["start", "--incident", String(id), "--title", "Other"], stdin: "q\n")
        #expect(title.status == 2, "\(title.stderr)")
        #expect(title.stderr.contains("--title cannot be used with --incident"))
        let env = try runbook(["start", "--incident", String(id), "--env", "staging"], stdin: "q\n")
        #expect(env.status == 2, "\(env.stderr)")
        #expect(env.stderr.contains("incident #\(id) is in production, not staging"))
        let dryRun = try runbook(["start", "--incident", String(id), "--dry-run"], stdin: "q\n")
        #expect(dryRun.status == 2, "\(dryRun.stderr)")
        #expect(try events(id).count == 1, "the refusals recorded nothing")
        // A live driver: the second is refused and pointed at --take-over.
        let live = try LiveRunbook(
            ["start", "--incident", String(id), "--runbooks", scratch.runbooks.path, "--db", scratch.database])
        try waitUntil("the first session to show its step") { live.text.contains("Show where") }
        let driven = try runbook(["start", "--incident", String(id)], stdin: "q\n")
        #expect(driven.status == 5, "\(driven.stderr)")
        #expect(driven.stderr.contains("is driven by"))
        #expect(driven.stderr.contains("runbook resume \(id) --take-over"))
        live.send("q")
        _ = try live.finish()
        // Once begun, it is resumed, not started again.
        let again = try runbook(["start", "--incident", String(id)], stdin: "q\n")
        #expect(again.status == 5, "\(again.stderr)")
        #expect(again.stderr.contains("incident #\(id) already has a session, on runbook crashloop"))
        #expect(again.stderr.contains("runbook resume \(id)"))
        let resolved = try runbook(["status", String(id), "resolved", "fixed"])
        #expect(resolved.status == 0, "\(resolved.stderr)")
        let closed = try runbook(["start", "--incident", String(id)], stdin: "q\n")
        #expect(closed.status == 5, "\(closed.stderr)")
        #expect(closed.stderr.contains("incident #\(id) is resolved"))
    }
}
