import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// What the issue promises about kill -9 and several writers, proven with real processes on a real file.
@Suite struct TranscriptDurabilityTests {
    @Test func everyNotePrintedBeforeSIGKILLIsCommittedAndTheChainVerifies() throws {
        let db = ScratchDatabase()
        let id = try db.declare()
        let total = 300
        let killAfter = Int.random(in: 1..<total)
        let child = try RunningBinary(["note", String(id), "--stdin"], environment: ["RUNBOOK_DB": db.path])
        // 300 short lines fit in the pipe buffer: all input is written before the child can die.
        child.write((0..<total).map { "note \($0)\n" }.joined())
        child.closeInput()
        var printed: [String] = []
        while printed.count < killAfter, let line = child.readLine() { printed.append(line) }
        child.kill(SIGKILL)
        printed += child.remainingLines()
        let status = child.wait()
        let context = Comment(rawValue: "killed after \(killAfter) lines seen; exit \(status)")

        let sequences = printed.compactMap { Int64($0.dropFirst()) }
        #expect(sequences.count == printed.count, context)
        let store = try SQLiteTranscriptStore(path: db.path)
        let events = try store.events(incidentID: id)
        #expect(events.map(\.sequence) == Array(1...Int64(events.count)), context)
        for sequence in sequences {
            let event = try #require(events.first { $0.sequence == sequence }, context)
            #expect(event.payload["text"]?.stringValue == "note \(sequence - 2)", context)
        }
        #expect(events.count >= sequences.count + 1, context)
        let verify = try db.run(["verify", String(id)])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }

    @Test func eightProcessesAppendingAtOnceLoseNothingAndNeverReportLocked() throws {
        let db = ScratchDatabase()
        let id = try db.declare()
        let writers = 8
        let notesEach = 50
        let children = try (0..<writers).map { _ in
            try RunningBinary(["note", String(id), "--stdin"], environment: ["RUNBOOK_DB": db.path])
        }
        // Every child is running before any gets input, so their appends overlap.
        for (index, child) in children.enumerated() {
            child.write((0..<notesEach).map { "writer \(index) note \($0)\n" }.joined())
            child.closeInput()
        }
        var printed: [Int64] = []
        for child in children {
            printed += child.remainingLines().compactMap { Int64($0.dropFirst()) }
            let status = child.wait()
            let errors = child.standardError()
            #expect(status == 0, "\(errors)")
            #expect(!errors.localizedCaseInsensitiveContains("locked"))
        }
        #expect(printed.sorted() == Array(2...Int64(1 + writers * notesEach)))
        let events = try SQLiteTranscriptStore(path: db.path).events(incidentID: id)
        #expect(events.count == 1 + writers * notesEach)
        let texts = Set(events.compactMap { $0.payload["text"]?.stringValue })
        for index in 0..<writers {
            for note in 0..<notesEach { #expect(texts.contains("writer \(index) note \(note)")) }
        }
        let verify = try db.run(["verify", "--all"])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }

    @Test func flippingOneByteOfAStoredEventMakesVerifyFailAtThatEvent() throws {
        let db = ScratchDatabase()
        let id = try db.declare()
        let other = try db.declare(title: "Untouched incident")
        try db.run(["note", String(id), "alpha"])
        try db.run(["note", String(id), "the quick fix"])
        try db.run(["note", String(id), "charlie"])
        #expect(try db.run(["verify", String(id)]).status == 0)

        // An attacker with the file can drop the trigger; the hash chain still tells.
        try db.sqlite(
            """
            DROP TRIGGER events_no_update;
            UPDATE events SET payload = replace(payload, 'quick', 'quack') WHERE incident = \(id) AND seq = 3;
            """)
        #expect(try db.sqlite("SELECT payload FROM events WHERE incident = \(id) AND seq = 3").contains("quack"))
        let result = try db.run(["verify", String(id)])
        #expect(result.status == 1)
        #expect(result.stdout.contains("BROKEN at event #3"))
        #expect(result.stderr.contains("first broken link at event #3"))
        let all = try db.run(["verify", "--all"])
        #expect(all.status == 1)
        #expect(all.stdout.contains("incident \(other): intact"))
    }

    @Test func anEditedIncidentTitleIsReportedAtTheDeclaration() throws {
        let db = ScratchDatabase()
        let id = try db.declare(title: "Payments down")
        try db.sqlite("UPDATE incidents SET title = 'Nothing happened' WHERE id = \(id)")
        let result = try db.run(["verify", String(id)])
        #expect(result.status == 1)
        #expect(
            result.stdout.contains("BROKEN at event #1: the incident row no longer matches its declaration (title)"))
    }

    @Test func aDeletedEventIsReportedAsMissing() throws {
        let db = ScratchDatabase()
        let id = try db.declare()
        for text in ["one", "two", "three"] { try db.run(["note", String(id), text]) }
        try db.sqlite("DROP TRIGGER events_no_delete; DELETE FROM events WHERE incident = \(id) AND seq = 2;")
        let result = try db.run(["verify", String(id)])
        #expect(result.status == 1)
        #expect(result.stdout.contains("#2"))
    }
}
