import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

@Suite struct MarkdownPostmortemExporterTests {
    private func export(resolved: Bool = true, drill: Bool = false, lines: Int = 20) throws -> (
        String, IncidentTranscript
    ) {
        let store = InMemoryTranscriptStore()
        let id = try SampleIncident.record(into: store, resolved: resolved, drill: drill)
        let transcript = try IncidentTranscript.load(incidentID: id, from: store)
        return (try MarkdownPostmortemExporter(outputLines: lines).markdown(transcript), transcript)
    }

    /// The XML between the heading `title` and the end of the first table after it.
    private func table(after title: String, in xml: String) throws -> Substring {
        let heading = try #require(xml.range(of: ">\(title)</text>"))
        let start = try #require(xml.range(of: "<table>", range: heading.upperBound..<xml.endIndex))
        let end = try #require(xml.range(of: "</table>", range: start.upperBound..<xml.endIndex))
        return xml[start.lowerBound..<end.upperBound]
    }

    private func count(_ needle: String, in text: some StringProtocol) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    @Test func headerNamesTheIncidentAndItsPeople() throws {
        let (markdown, _) = try export()
        #expect(
            markdown.hasPrefix(
                "<!-- runbook export of incident 1; -o replaces this file only while this line is here -->\n"
                    + "# Postmortem: Checkout API returning 502s\n"))
        for fact in [
            "- **Incident:** 1", "- **Environment:** production", "- **Drill:** no", "- **Severity:** P1 (declared P2)",
            "- **Runbooks used:** outage", "- **Responders:** alice@ops-1, bob@laptop",
            "- **Declared:** 2026-01-01 00:00:00Z", "- **Acknowledged:** 2026-01-01 00:00:20Z",
            "- **Mitigated:** 2026-01-01 00:40:00Z", "- **Resolved:** 2026-01-01 00:50:00Z",
        ] {
            #expect(markdown.contains(fact), "missing \(fact)")
        }
        #expect(!markdown.contains("Open incident"))
    }

    @Test func openIncidentSaysSoAtTheTop() throws {
        let (markdown, _) = try export(resolved: false)
        let top = markdown.split(separator: "\n").prefix(4).joined(separator: "\n")
        #expect(top.contains("**Open incident.**"))
        #expect(markdown.contains("- **Resolved:** —"))
    }

    @Test func metricsShowTimesSeveritiesEscalationsAndResponseChecks() throws {
        let (markdown, _) = try export()
        #expect(markdown.contains("- **Time to acknowledge:** 20s"))
        #expect(markdown.contains("- **Time to resolve:** 50m 00s"))
        #expect(markdown.contains("| P1 | 49m 00s |"))
        #expect(markdown.contains("| P2 | T+00:00 | 2 hours | 20s | yes |"))
        #expect(markdown.contains("| P1 | T+01:00 | 30 minutes | 34m 00s | **no** |"))
        #expect(markdown.contains("| 2026-01-01 00:31:00Z | T+31:00 | 1 | DevOps Lead | P1 |"))
    }

    @Test func timelineHasOneRowPerCommandAndPerOtherEventWhateverTheCellsHold() throws {
        let (markdown, report) = try export()
        let xml = try ExternalTool.cmarkXML(markdown)
        let timeline = try table(after: "Full log", in: xml)
        // A command's showing, approval and start make no rows: its finish is its one row.
        let rows = try report.events().filter { ![.stepShown, .stepApproved, .commandStarted].contains($0.type) }
        #expect(count("<table_row", in: timeline) == rows.count)
        // Pipes and newlines inside cells stay inside their cell.
        #expect(timeline.contains("errors spreading to | payments"))
        #expect(timeline.contains("action: write up | the "))
        #expect(timeline.contains("helm"))
        #expect(timeline.contains(" ↵ and keep the 40 release pinned"))
    }

    @Test func outputWithBackticksColoursAndBadBytesStaysInsideItsFence() throws {
        let (markdown, report) = try export()
        let xml = try ExternalTool.cmarkXML(markdown)
        // Per command: the command, the output; plus the runbook's text for the edited one.
        #expect(try count("<code_block", in: xml) == report.report().commands.count * 2 + 1)
        #expect(
            xml.contains(
                "```\nnot a fence | col | col\nFAILED rollback\nbad\u{FFFD}\u{FFFD} bytes\n````` five backticks"))
        #expect(!markdown.contains("\u{1B}"))
        #expect(markdown.contains("bytes that are not UTF-8 are shown as �"))
        // The author sections come after the commands, so nothing swallowed them.
        #expect(count("<heading level=\"2\">", in: xml) == 13)
    }

    @Test func commandsShowTheEditedTextExitCodeAndDuration() throws {
        let (markdown, _) = try export()
        #expect(markdown.contains("### 2. Roll back the release"))
        #expect(markdown.contains("exit 1 (unexpected), took 2.25s, in /srv."))
        #expect(
            markdown.contains(
                "```sh\nhelm rollback api 40\n```\n\nEdited before running; the runbook said:\n\n```sh\nhelm rollback api 41\n```"
            ))
    }

    @Test func longOutputKeepsTheFirstAndLastLinesAndCountsTheRest() throws {
        let store = InMemoryTranscriptStore()
        let (incident, _) = try store.declareIncident(
            IncidentDeclaration(
                title: "t", runbook: "r", environment: "staging", severity: .p3, host: "h", user: "u"), actor: "u@h",
            at: SampleIncident.start)
        let started = try store.append(
            EventDraft(.commandStarted, payload: ["command": "seq 100"]), to: incident.id, actor: "u@h",
            at: SampleIncident.start)
        let text = (1...100).map(String.init).joined(separator: "\n") + "\n"
        try store.appendOutput(
            [OutputChunk(offset: 0, data: Data(text.utf8))], incidentID: incident.id, commandSequence: started.sequence)
        let transcript = try IncidentTranscript.load(incidentID: incident.id, from: store)
        let markdown = try MarkdownPostmortemExporter(outputLines: 5).markdown(transcript)
        #expect(markdown.contains("Output (100 lines, first and last 5 shown):"))
        #expect(markdown.contains("```text\n1\n2\n3\n4\n5\n[… 90 lines left out …]\n96\n97\n98\n99\n100\n```"))
        #expect(try MarkdownPostmortemExporter(outputLines: 0).markdown(transcript).contains("\n50\n"))
    }

    @Test func notesActionItemsAndAuthorSectionsFollow() throws {
        let (markdown, _) = try export()
        #expect(markdown.contains("| alert on readiness probe failures | — | — | — | alice@ops-1, T+01:30 |"))
        #expect(
            markdown.contains("| write up \\| the \\`helm\\` history ↵ and keep the 40 release pinned | — | — | — |"))
        for section in [
            "Summary", "Impact", "Trigger", "Detection", "Resolution", "Root causes and contributing factors",
            "What went well", "What went badly", "Where we got lucky", "Action items", "Timeline",
            "Supporting information",
        ] {
            #expect(markdown.contains("\n## \(section)\n"))
        }
        #expect(!markdown.contains("## Drill debrief"))
    }

    @Test func drillsSayDrillAndCarryTheDebrief() throws {
        let (markdown, _) = try export(drill: true)
        #expect(markdown.contains("-->\n# Postmortem (DRILL): Checkout API returning 502s\n"))
        #expect(markdown.contains("- **Drill:** **DRILL**"))
        #expect(markdown.contains("## Drill debrief"))
        #expect(markdown.contains("- **went_well:** Rollback was quick"))
        #expect(markdown.contains("  - Page earlier"))
    }
}
