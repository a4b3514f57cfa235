import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

@Suite struct AsciicastExporterTests {
    private func lines(resolved: Bool = true) throws -> [JSONValue] {
        let store = InMemoryTranscriptStore()
        let id = try SampleIncident.record(into: store, resolved: resolved)
        let data = try AsciicastExporter().render(IncidentTranscript.load(incidentID: id, from: store))
        return try String(decoding: data, as: UTF8.self).split(separator: "\n").map {
            try JSONValue(parsing: String($0))
        }
    }

    /// A new incident whose first event after the declaration is `command` starting `seconds` in.
    private func declaredWithCommand(_ command: String, at seconds: TimeInterval) throws -> (
        InMemoryTranscriptStore, Incident, RecordedEvent
    ) {
        let store = InMemoryTranscriptStore()
        let (incident, _) = try store.declareIncident(
            IncidentDeclaration(title: "t", runbook: "r", environment: "e", severity: .p3, host: "h", user: "u"),
            actor: "u@h", at: SampleIncident.start)
        let started = try store.append(
            EventDraft(.commandStarted, payload: ["command": .string(command)]), to: incident.id, actor: "u@h",
            at: SampleIncident.start.addingTimeInterval(seconds))
        return (store, incident, started)
    }

    private func events(_ lines: [JSONValue]) -> [(time: Double, code: String, data: String)] {
        lines.dropFirst().compactMap { line in
            guard case .array(let items) = line, items.count == 3, let time = items[0].doubleValue,
                let code = items[1].stringValue, let data = items[2].stringValue
            else { return nil }
            return (time, code, data)
        }
    }

    @Test func headerIsVersionTwoWithOnlyShellAndTerm() throws {
        let header = try #require(try lines().first)
        #expect(header["version"] == 2)
        #expect(header["width"] == 120)
        #expect(header["height"] == 40)
        #expect(header["timestamp"] == 1_767_225_600)
        #expect(header["title"] == "Incident 1: Checkout API returning 502s")
        #expect(header["env"] == ["SHELL": "/bin/sh", "TERM": "xterm-256color"])
        #expect(header["idle_time_limit"]?.doubleValue == 2)
    }

    @Test func everyLineIsAnEventAndTimesNeverGoBack() throws {
        let all = try lines()
        let parsed = events(all)
        #expect(parsed.count == all.count - 1)
        #expect(zip(parsed, parsed.dropFirst()).allSatisfy { $0.time <= $1.time })
        #expect(Set(parsed.map(\.code)) == ["o", "m"])
    }

    @Test func aMarkerAtEachStepIsLabelledWithItsTitle() throws {
        let markers = events(try lines()).filter { $0.code == "m" }
        #expect(markers.map(\.data) == ["Check pod status", "Roll back the release"])
        #expect(markers.map(\.time) == [5, 120])
    }

    @Test func outputKeepsItsOriginalTimingWithCarriageReturns() throws {
        let parsed = events(try lines())
        // The first command started at T+31s; its chunks came 0.25 s and 1.5 s later.
        let first = try #require(parsed.first { $0.data.hasPrefix("NAME") })
        #expect(first.time == 31.25)
        #expect(first.data == "NAME    READY   STATUS\r\n")
        let second = try #require(parsed.first { $0.data.hasPrefix("api-1") })
        #expect(second.time == 32.5)
        #expect(second.data.contains("\u{1B}[31mCrashLoopBackOff"))
    }

    @Test func promptsApprovalsAndNotesReadLikeTheSession() throws {
        let text = events(try lines()).filter { $0.code == "o" }.map(\.data).joined()
        #expect(text.contains("[1/3] Check pod status"))
        #expect(text.contains("Run it? \u{1B}[32myes\u{1B}[0m (alice@ops-1)"))
        #expect(text.contains("Run it? \u{1B}[33medit\u{1B}[0m → helm rollback api 40"))
        #expect(text.contains("$ helm rollback api 40"))
        #expect(text.contains("[exit 1 (unexpected) · 2.25s]"))
        #expect(text.contains("Note: TODO: alert on readiness probe failures"))
        #expect(text.contains("Escalation level 1 to DevOps Lead (P1)"))
        #expect(!text.contains("\n\n"), "bare line feeds would stair-step in a player")
    }

    @Test func utf8SplitAcrossChunksIsJoinedAndBadBytesAreReplaced() throws {
        let (store, incident, started) = try declaredWithCommand("x", at: 0)
        let euro = Array("€".utf8)
        try store.appendOutput(
            [
                OutputChunk(offset: 0, data: Data([0x61] + euro.prefix(2))),
                OutputChunk(offset: 1, data: Data(euro.suffix(1) + [0xFF, 0x0A])),
            ], incidentID: incident.id, commandSequence: started.sequence)
        let data = try AsciicastExporter().render(IncidentTranscript.load(incidentID: incident.id, from: store))
        let output = events(
            try String(decoding: data, as: UTF8.self).split(separator: "\n").map {
                try JSONValue(parsing: String($0))
            }
        ).filter { $0.code == "o" }.map(\.data)
        #expect(output.contains("a"))
        #expect(output.contains("€\u{FFFD}\r\n"))
    }

    /// A command's output that runs past the events after it plays at its own time: the events in between come
    /// first, and the output waits for them.
    @Test func outputRunningPastLaterEventsIsPlayedInTimeOrder() throws {
        let (store, incident, started) = try declaredWithCommand("slow", at: 10)
        try store.appendOutput(
            [
                OutputChunk(offset: 0, data: Data("first\n".utf8)),
                OutputChunk(offset: 5, data: Data("late\n".utf8)),
            ], incidentID: incident.id, commandSequence: started.sequence)
        _ = try store.append(
            EventDraft(.noteAdded, payload: ["text": "meanwhile"]), to: incident.id, actor: "u@h",
            at: SampleIncident.start.addingTimeInterval(12))
        _ = try store.append(
            EventDraft(.commandFinished, payload: ["exit_code": 0, "duration": 6]), to: incident.id, actor: "u@h",
            at: SampleIncident.start.addingTimeInterval(16))
        let data = try AsciicastExporter().render(IncidentTranscript.load(incidentID: incident.id, from: store))
        let parsed = events(
            try String(decoding: data, as: UTF8.self).split(separator: "\n").map {
                try JSONValue(parsing: String($0))
            })
        let order = parsed.filter { frame in
            ["first", "meanwhile", "late", "exit 0"].contains { frame.data.contains($0) }
        }
        #expect(order.map(\.time) == [10, 12, 15, 16])
        #expect(order[1].data.contains("meanwhile") && order[2].data == "late\r\n")
        #expect(zip(parsed, parsed.dropFirst()).allSatisfy { $0.time <= $1.time })
    }
}
