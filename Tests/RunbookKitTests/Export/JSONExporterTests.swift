import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

@Suite struct JSONExporterTests {
    static let schemaPath = BuiltBinary.packageRoot.appendingPathComponent("docs/export-schema.json").path

    private func export(resolved: Bool = true) throws -> Data {
        let store = InMemoryTranscriptStore()
        let id = try SampleIncident.record(into: store, resolved: resolved)
        return try JSONExporter().render(IncidentTranscript.load(incidentID: id, from: store))
    }

    @Test func exportValidatesAgainstTheCommittedSchema() throws {
        for resolved in [true, false] {
            let violations = try ExternalTool.schemaViolations(
                of: export(resolved: resolved), schemaPath: Self.schemaPath)
            #expect(violations == nil)
        }
    }

    @Test func schemaRejectsAnExportWithoutAVersion() throws {
        var document = try JSONValue(parsing: String(decoding: export(), as: UTF8.self))
        guard case .object(var members) = document else { Issue.record("not an object"); return }
        members["version"] = nil
        document = .object(members)
        #expect(try ExternalTool.schemaViolations(of: document.canonicalData(), schemaPath: Self.schemaPath) != nil)
    }

    @Test func exportHoldsEverythingWithVersionOne() throws {
        let document = try JSONValue(parsing: String(decoding: export(), as: UTF8.self))
        #expect(document["version"] == 1)
        #expect(document["incident"]?["title"] == "Checkout API returning 502s")
        #expect(document["incident"]?["declared_at"] == "2026-01-01T00:00:00.000Z")
        guard case .array(let events)? = document["events"], case .array(let commands)? = document["commands"] else {
            Issue.record("events or commands missing")
            return
        }
        #expect(events.count == 23)
        #expect(commands.count == 2)
        #expect(commands[1]["command"] == "helm rollback api 40")
        #expect(commands[1]["original_command"] == "helm rollback api 41")
        #expect(document["timers"] == [])
        guard case .array(let notifications)? = document["notifications"] else {
            Issue.record("notifications missing")
            return
        }
        #expect(notifications.count == 2)
        #expect(document["metrics"]?["time_to_resolve_seconds"]?.doubleValue == 3000)
    }

    @Test func outputThatIsNotUTF8AlsoComesAsBase64() throws {
        let document = try JSONValue(parsing: String(decoding: export(), as: UTF8.self))
        let clean = try #require(document["commands"].flatMap { if case .array(let a) = $0 { a } else { nil } })
        #expect(clean[0]["output"]?["base64"] == nil)
        #expect(clean[0]["output"]?["valid_utf8"] == true)
        let base64 = try #require(clean[1]["output"]?["base64"]?.stringValue)
        #expect(Data(base64Encoded: base64) == SampleIncident.hostileOutput)
        #expect(clean[1]["output"]?["text"]?.stringValue?.contains("bad\u{FFFD}\u{FFFD} bytes") == true)
    }

    @Test func sameTranscriptExportsToTheSameBytes() throws {
        #expect(try export() == export())
    }
}
