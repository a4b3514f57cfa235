import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

/// `export --update`'s merge: the generated blocks are rewritten from the incident as it is now, the author's text
/// around them is kept byte for byte, and any doubt about what is whose is a conflict that writes nothing.
@Suite struct PostmortemUpdateTests {
    /// A store holding the sample incident, its first export in a scratch file, and the file's path.
    private func exported() throws -> (InMemoryTranscriptStore, Int64, String) {
        let store = InMemoryTranscriptStore()
        let id = try SampleIncident.record(into: store)
        let directory = NSTemporaryDirectory() + "runbook-update-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/postmortem.md"
        try MarkdownPostmortemExporter().export(incidentID: id, from: store, to: path)
        return (store, id, path)
    }

    private func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    /// `text` inserted on the line after the end marker of block `name`.
    private func append(_ text: String, after name: String, in document: String) throws -> String {
        let marker = try #require(document.range(of: "<!-- runbook:end \(name) sha256:"))
        let lineEnd = try #require(document.range(of: "\n", range: marker.upperBound..<document.endIndex))
        return document.replacingCharacters(in: lineEnd, with: "\n\n\(text)\n")
    }

    private func conflict(_ body: () throws -> Void) -> (section: String?, line: Int, reason: String)? {
        do {
            try body()
        } catch ExportError.updateConflict(_, let line, let section, let reason) {
            return (section, line, reason)
        } catch {
            Issue.record("expected a conflict, got \(error)")
        }
        return nil
    }

    @Test func everyBlockTheExporterWritesIsNamedInOrder() throws {
        for drill in [false, true] {
            let store = InMemoryTranscriptStore()
            let id = try SampleIncident.record(into: store, drill: drill)
            let markdown = try MarkdownPostmortemExporter().markdown(
                IncidentTranscript.load(incidentID: id, from: store))
            let begins = markdown.split(separator: "\n").filter { $0.hasPrefix("<!-- runbook:begin ") }
                .map { $0.split(separator: " ")[2] }.map(String.init)
            #expect(begins == MarkdownPostmortemExporter.blockNames(drill: drill))
            let ends = markdown.split(separator: "\n").filter { $0.hasPrefix("<!-- runbook:end ") }
            #expect(ends.count == begins.count)
            #expect(ends.allSatisfy { $0.contains(" sha256:") })
        }
    }

    @Test func updateKeepsTheAuthorsTextAndRewritesTheBlocks() throws {
        let (store, id, path) = try exported()
        var document = try read(path)
        document = try append("Checkout was down for **all** EU users.", after: "impact", in: document)
        document = try append("The release skipped the canary stage.", after: "root-causes", in: document)
        document = try append("The on-call was at their desk.", after: "lucky", in: document)
        document = document.replacingOccurrences(of: "# Postmortem: ", with: "# Postmortem (reviewed): ")
        try document.write(toFile: path, atomically: false, encoding: .utf8)
        let end = SampleIncident.start.addingTimeInterval(4000)
        _ = try store.append(
            EventDraft(.noteAdded, payload: ["text": "late note: payments confirmed"]), to: id, actor: "carol", at: end)
        _ = try store.append(EventDraft(.causeAdded, payload: ["text": "no canary"]), to: id, actor: "carol", at: end)

        try MarkdownPostmortemExporter().update(incidentID: id, from: store, file: path)

        let updated = try read(path)
        for kept in [
            "Checkout was down for **all** EU users.", "The release skipped the canary stage.",
            "The on-call was at their desk.", "# Postmortem (reviewed): Checkout API returning 502s",
        ] {
            #expect(updated.contains(kept), "lost: \(kept)")
        }
        #expect(updated.contains("Note: late note: payments confirmed"))
        let causes = try #require(updated.range(of: "<!-- runbook:begin root-causes -->"))
        #expect(updated[causes.upperBound...].prefix(200).contains("no canary"))
        // A second update with nothing new changes nothing.
        try MarkdownPostmortemExporter().update(incidentID: id, from: store, file: path)
        #expect(try read(path) == updated)
    }

    @Test func anEditedBlockIsAConflictNamingItsSectionAndLineAndNothingIsWritten() throws {
        let (store, id, path) = try exported()
        let original = try read(path)
        let edited = original.replacingOccurrences(of: "- **Environment:** production", with: "- **Environment:** prod")
        try edited.write(toFile: path, atomically: false, encoding: .utf8)
        let found = conflict { try MarkdownPostmortemExporter().update(incidentID: id, from: store, file: path) }
        let lines = edited.split(separator: "\n", omittingEmptySubsequences: false)
        let begin = try #require(lines.firstIndex { $0 == "<!-- runbook:begin header -->" }) + 1
        #expect(found?.section == "header")
        #expect(found?.line == begin)
        #expect(found?.reason.contains("edited") == true)
        #expect(try read(path) == edited)
    }

    @Test func missingDuplicatedAndMisplacedMarkersAreConflicts() throws {
        let (store, id, path) = try exported()
        let original = try read(path)
        let lines = original.components(separatedBy: "\n")
        func without(_ prefix: String) -> String { lines.filter { !$0.hasPrefix(prefix) }.joined(separator: "\n") }
        let notesBlock = try #require(original.range(of: "<!-- runbook:begin notes -->"))
        let notesEnd = try #require(original.range(of: "<!-- runbook:begin notifications -->"))
        let cases: [(String, String, String)] = [
            ("missing end", without("<!-- runbook:end lucky "), "lucky"),
            (
                "missing block",
                without("<!-- runbook:begin trigger").replacingOccurrences(
                    of: "\n<!-- runbook:end trigger", with: "\nx"), "trigger"
            ),
            ("duplicated", original + "\n" + original[notesBlock.lowerBound..<notesEnd.lowerBound], "notes"),
            ("stray end", original + "\n<!-- runbook:end summary sha256:0000000000000000 -->\n", "summary"),
        ]
        for (label, text, section) in cases {
            try text.write(toFile: path, atomically: false, encoding: .utf8)
            let found = conflict { try MarkdownPostmortemExporter().update(incidentID: id, from: store, file: path) }
            #expect(found?.section == section, "\(label): \(String(describing: found))")
            #expect(try read(path) == text, "\(label): the file was written")
        }
        // Two blocks swapped (their text with them): out of order.
        let impact = try #require(original.range(of: "## Impact\n"))
        let trigger = try #require(original.range(of: "## Trigger\n"))
        let detection = try #require(original.range(of: "## Detection\n"))
        let swapped =
            String(original[..<impact.lowerBound]) + original[trigger.lowerBound..<detection.lowerBound]
            + original[impact.lowerBound..<trigger.lowerBound] + original[detection.lowerBound...]
        try swapped.write(toFile: path, atomically: false, encoding: .utf8)
        let found = conflict { try MarkdownPostmortemExporter().update(incidentID: id, from: store, file: path) }
        #expect(found?.section == "impact")
        #expect(found?.reason.contains("out of order") == true)
    }

    @Test func aFileAnEditorTurnedToCRLFIsUpdatedInCRLF() throws {
        let (store, id, path) = try exported()
        var document = try append("Written on Windows.", after: "went-well", in: try read(path))
        document = document.replacingOccurrences(of: "\n", with: "\r\n")
        try document.write(toFile: path, atomically: false, encoding: .utf8)
        _ = try store.append(
            EventDraft(.noteAdded, payload: ["text": "after the edit"]), to: id, actor: "carol",
            at: SampleIncident.start.addingTimeInterval(4000))

        try MarkdownPostmortemExporter().update(incidentID: id, from: store, file: path)

        let updated = try read(path)
        #expect(updated.contains("\r\n\r\nWritten on Windows.\r\n"))
        #expect(updated.contains("Note: after the edit"))
        #expect(!updated.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "a bare LF is left")
    }

    @Test func aFileOfAnotherIncidentOrNoExportIsRefused() throws {
        let (store, _, path) = try exported()
        let other = try SampleIncident.record(into: store)
        #expect(throws: ExportError.self) {
            try MarkdownPostmortemExporter().update(incidentID: other, from: store, file: path)
        }
        try "# My notes\n".write(toFile: path, atomically: false, encoding: .utf8)
        #expect(throws: ExportError.self) {
            try MarkdownPostmortemExporter().update(incidentID: 1, from: store, file: path)
        }
        #expect(try read(path) == "# My notes\n")
    }
}
