import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// Optional signing through the built binary: `runbook keys init`, the `chain.signed` events `resolve` and
/// `handoff` record, and what `verify` (with and without `--trust`) makes of them after an attacker with write
/// access rewrites the chain.
@Suite struct HeadSignatureEndToEndTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/session").path

    /// A scratch database and a key file path beside it.
    struct Signer {
        let db = ScratchDatabase()
        var key: String { db.directory + "/config/runbook/signing.key" }
        var environment: [String: String] { ["RUNBOOK_SIGNING_KEY": key] }

        func run(_ arguments: [String], stdin: String? = nil) throws -> BuiltBinary.Result {
            try db.run(arguments, stdin: stdin, environment: environment)
        }

        /// `keys init`, then the public-key line `keys show` prints, written to `trusted` for `verify --trust`.
        func initKey(trusted: String) throws {
            let created = try run(["keys", "init"])
            #expect(created.status == 0, "\(created.stdout)\n\(created.stderr)")
            let shown = try run(["keys", "show"])
            let line = try #require(shown.stdout.split(separator: "\n").first { $0.hasPrefix("public key: ") })
            try String(line.dropFirst("public key: ".count)).write(toFile: trusted, atomically: true, encoding: .utf8)
        }

        /// A scripted session that hands off to bob; bob resumes it and resolves it.
        func handOffAndResolve() throws {
            let session = try run(
                ["start", "triage", "--env", "staging", "--runbooks", HeadSignatureEndToEndTests.fixtures],
                stdin: "note alpha\nhandoff bob\n")
            #expect(session.status == 0, "\(session.stdout)\n\(session.stderr)")
            let resumed = try run(
                ["resume", "1", "--runbooks", HeadSignatureEndToEndTests.fixtures], stdin: "resolve done\n")
            #expect(resumed.status == 0, "\(resumed.stdout)\n\(resumed.stderr)")
        }
    }

    @Test func keysInitCreatesAPrivateKeyAndNeverReplacesIt() throws {
        let signer = Signer()
        let created = try signer.run(["keys", "init"])
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.contains("created signing key \(signer.key) (mode 0600)"))
        #expect(created.stdout.contains("fingerprint: SHA256:"))
        let attributes = try FileManager.default.attributesOfItem(atPath: signer.key)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let directory = try FileManager.default.attributesOfItem(
            atPath: (signer.key as NSString).deletingLastPathComponent)
        #expect((directory[.posixPermissions] as? Int) == 0o700)
        let before = try String(contentsOfFile: signer.key, encoding: .utf8)

        let again = try signer.run(["keys", "init"])
        #expect(again.status == 2, "\(again.stdout)\n\(again.stderr)")
        #expect(again.stderr.contains("a signing key already exists at \(signer.key)"))
        #expect(try String(contentsOfFile: signer.key, encoding: .utf8) == before)

        // A key others can read is refused by `keys show`, and a session warns and signs nothing.
        chmod(signer.key, 0o644)
        let shown = try signer.run(["keys", "show"])
        #expect(shown.status == 2)
        #expect(shown.stderr.contains("its mode is 644: others can read it"))
        let session = try signer.run(
            ["start", "triage", "--env", "staging", "--runbooks", Self.fixtures], stdin: "resolve done\n")
        #expect(session.status == 0, "\(session.stderr)")
        #expect(session.stdout.contains("this session will not sign the chain head"))
        #expect(try signer.db.sqlite("SELECT count(*) FROM events WHERE type = 'chain.signed'") == "0\n")
    }

    @Test func resolveAndHandoffSignTheHeadAndVerifyChecksIt() throws {
        let signer = Signer()
        let trusted = signer.db.directory + "/team.keys"
        try signer.initKey(trusted: trusted)
        try signer.handOffAndResolve()
        let reasons = try signer.db.sqlite(
            "SELECT json_extract(payload, '$.reason') FROM events WHERE type = 'chain.signed' ORDER BY seq")
        #expect(reasons == "handoff\nincident.resolved\n")
        // The export carries the signatures and still matches its schema.
        let export = try signer.run(["export", "1", "--format", "json", "-o", "-"])
        #expect(export.status == 0, "\(export.stderr)")
        let schema = BuiltBinary.packageRoot.appendingPathComponent("docs/export-schema.json").path
        #expect(try ExternalTool.schemaViolations(of: Data(export.stdout.utf8), schemaPath: schema) == nil)
        #expect(export.stdout.contains("\"chain.signed\""))

        let plain = try signer.run(["verify", "1"])
        #expect(plain.status == 0, "\(plain.stdout)\n\(plain.stderr)")
        #expect(plain.stdout.contains("(incident.resolved) by "))
        let trustedRun = try signer.run(["verify", "1", "--trust", trusted])
        #expect(trustedRun.status == 0, "\(trustedRun.stdout)\n\(trustedRun.stderr)")
        #expect(trustedRun.stdout.contains(", trusted: "))

        // Another responder's key is not the team's.
        let other = Signer()
        let otherKeys = other.db.directory + "/other.keys"
        try other.initKey(trusted: otherKeys)
        let foreign = try signer.run(["verify", "1", "--trust", otherKeys])
        #expect(foreign.status == 1, "\(foreign.stdout)\n\(foreign.stderr)")
        #expect(foreign.stdout.contains("NOT TRUSTED"))
        #expect(foreign.stderr.contains("has a head signature by a key not in \(otherKeys)"))
    }

    @Test func anUnsignedIncidentFailsTrustButPassesPlainVerify() throws {
        let signer = Signer()
        let trusted = signer.db.directory + "/team.keys"
        try signer.initKey(trusted: trusted)
        let session = try signer.db.run(
            ["start", "triage", "--env", "staging", "--runbooks", Self.fixtures], stdin: "resolve done\n")
        #expect(session.status == 0, "\(session.stderr)")
        #expect(try signer.run(["verify", "1"]).status == 0)
        let result = try signer.run(["verify", "1", "--trust", trusted])
        #expect(result.status == 1, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains("incident 1 has no head signature; --trust \(trusted) requires one"))
    }

    @Test func aChainRewrittenWithEveryHashRecomputedBreaksTheSignature() throws {
        let signer = Signer()
        let trusted = signer.db.directory + "/team.keys"
        try signer.initKey(trusted: trusted)
        try signer.handOffAndResolve()

        // Change the note and recompute every hash: the links hold again, but the signed head no longer matches.
        let events = try SQLiteTranscriptStore(path: signer.db.path).events(incidentID: 1)
        try signer.db.rewriteChain { event in
            event.payload["text"] == "alpha" ? ["text": "nothing to see"] : event.payload
        }
        let signed = try #require(events.first { $0.type == .chainSigned })

        let result = try signer.run(["verify", "1"])
        #expect(result.status == 1, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("BROKEN at event #\(signed.sequence)"))
        #expect(result.stdout.contains("is not an earlier event of this chain"))
    }

    @Test func aForgedSignatureBreaksTheChainAtItsEvent() throws {
        let signer = Signer()
        try signer.initKey(trusted: signer.db.directory + "/team.keys")
        try signer.handOffAndResolve()
        let store = try SQLiteTranscriptStore(path: signer.db.path)
        let signed = try #require(try store.events(incidentID: 1).last { $0.type == .chainSigned })
        // The attacker keeps the head but swaps in a signature of another incident's head.
        var payload = signed.payload
        let key = try SigningKey(
            fileContents: String(contentsOfFile: signer.key, encoding: .utf8), path: signer.key)
        let head = try #require(
            ChainHead(parsing: "\(signed.payload["seq"]?.intValue ?? 0):\(signed.payload["hash"]?.stringValue ?? "")"))
        payload = try HeadSignature.payload(key: key, incidentID: 2, head: head, reason: "incident.resolved")
        try signer.db.rewriteChain { $0.sequence == signed.sequence ? payload : $0.payload }
        let result = try signer.run(["verify", "1"])
        #expect(result.status == 1, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("BROKEN at event #\(signed.sequence)"))
        #expect(result.stdout.contains("is not valid for key SHA256:"))
    }
}
