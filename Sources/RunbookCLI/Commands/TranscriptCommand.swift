import ArgumentParser
import Foundation
import RunbookKit

/// `runbook transcript`: one incident's events in order, for a terminal or for scripts.
struct TranscriptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transcript",
        abstract: "Show an incident's events in order.",
        discussion: """
            Each line has the UTC time, the time since declaration (T+mm:ss), the event number, type, \
            step and actor. Command output is shown under its command, cut to the first \(previewLines) \
            lines unless --full; escape sequences are removed in text form.
            """)

    static let previewLines = 10

    @OptionGroup var global: GlobalOptions

    @Argument(
        help: ArgumentHelp("The incident id.", valueName: "ID"), completion: ShellCompletion.incidentIDs)
    var incident: Int64

    @Option(help: "text or json.")
    var format: TranscriptFormat = .text

    @Flag(help: "Show command output whole.")
    var full = false

    func run() throws {
        let store = try StoreOpener.openEvidence(global)
        guard let incident = try store.incident(incident) else {
            throw TranscriptError.unknownIncident(id: self.incident, path: store.path)
        }
        let events = try store.events(incidentID: incident.id)
        let sizes = try store.outputSizes(incidentID: incident.id)
        let outputs = try Dictionary(
            uniqueKeysWithValues: sizes.keys.map { sequence in
                let data = try store.output(incidentID: incident.id, commandSequence: sequence)
                    .reduce(into: Data()) { $0.append($1.data) }
                return (sequence, String(decoding: data, as: UTF8.self))
            })
        switch format {
        case .json:
            let document = TranscriptJSON(
                incident: IncidentJSON(incident, now: Date()),
                events: events.map { event in
                    EventJSON(event, output: outputs[event.sequence], full: full, previewLines: Self.previewLines)
                })
            print(try TranscriptText.json(document))
        case .text:
            print(render(incident, events: events, outputs: outputs))
        }
    }

    private func render(_ incident: Incident, events: [RecordedEvent], outputs: [Int64: String]) -> String {
        var lines = TranscriptText.header(incident) + [""]
        let width = TranscriptText.sequenceWidth(events.last?.sequence ?? 1)
        for event in events {
            lines.append(TranscriptText.eventLine(event, declaredAt: incident.declaredAt, width: width, full: full))
            if let output = outputs[event.sequence] {
                lines.append(contentsOf: outputLines(output))
            }
        }
        return lines.joined(separator: "\n")
    }

    private func outputLines(_ output: String) -> [String] {
        var text = ANSIText.strip(output)
        if text.hasSuffix("\n") { text.removeLast() }
        let all = text.split(separator: "\n", omittingEmptySubsequences: false)
        let shown = full ? all[...] : all.prefix(Self.previewLines)
        var lines = shown.map(TranscriptText.outputLine)
        if shown.count < all.count {
            let bytes = ByteCountFormatter.string(fromByteCount: Int64(output.utf8.count), countStyle: .file)
            lines.append("    … \(all.count - shown.count) more lines (\(bytes) in all); --full shows them")
        }
        return lines
    }
}

/// `runbook transcript --format json`.
struct TranscriptJSON: Encodable {
    var incident: IncidentJSON
    var events: [EventJSON]
}

/// One event in `runbook transcript --format json`.
struct EventJSON: Encodable {
    var seq: Int64
    var ts: String
    var tsMilliseconds: Int64
    var actor: String
    var type: String
    var stepID: String?
    var payload: JSONValue
    var previousHash: String
    var hash: String
    var outputBytes: Int?
    /// The whole output with `--full`, else its first lines.
    var output: String?
    var outputTruncated: Bool?

    init(_ event: RecordedEvent, output: String?, full: Bool, previewLines: Int) {
        seq = event.sequence
        ts = TranscriptText.iso(event.timestamp)
        tsMilliseconds = Int64((event.timestamp.timeIntervalSince1970 * 1000).rounded())
        actor = event.actor
        type = event.type.rawValue
        stepID = event.stepID
        payload = event.payload
        previousHash = event.previousHash
        hash = event.hash
        if let output {
            outputBytes = output.utf8.count
            let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
            let cut = !full && lines.count > previewLines + 1
            self.output = cut ? lines.prefix(previewLines).joined(separator: "\n") + "\n" : output
            outputTruncated = cut
        }
    }

    enum CodingKeys: String, CodingKey {
        case seq, ts, actor, type, payload, hash, output
        case tsMilliseconds = "ts_ms", stepID = "step_id", previousHash = "prev_hash", outputBytes = "output_bytes"
        case outputTruncated = "output_truncated"
    }
}
