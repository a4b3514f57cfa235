import ArgumentParser
import Foundation
import RunbookKit

/// `runbook search`: full-text search over the commands, outputs and notes of every incident.
struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search commands, outputs and notes of every incident, newest first.",
        discussion: """
            Every word must occur; words are stemmed (restart finds restarted) and a trailing * matches a prefix.

              runbook search "database failover"
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Words to look for.")
    var query: [String]

    @Option(help: "At most this many hits.")
    var limit = 20

    @Option(help: "table or json.")
    var format: OutputFormat = .table

    func run() throws {
        let store = try StoreOpener.openEvidence(global)
        let hits = try store.search(query.joined(separator: " "), limit: limit)
        switch format {
        case .json:
            print(try TranscriptText.json(hits.map(SearchHitJSON.init)))
        case .table:
            guard !hits.isEmpty else {
                print("No matches for \"\(query.joined(separator: " "))\" in \(store.storeName).")
                return
            }
            print(
                TranscriptText.table(
                    header: ["WHEN", "INCIDENT", "EVENT", "STEP", "KIND", "SNIPPET"],
                    rows: hits.map { hit in
                        [
                            TranscriptText.utc(hit.timestamp),
                            "\(hit.incidentID) \(TranscriptText.truncate(hit.incidentTitle, to: 24))",
                            "#\(hit.sequence)", hit.stepID ?? "-", hit.kind.rawValue,
                            hit.snippet.replacingOccurrences(of: "\n", with: " ⏎ "),
                        ]
                    }))
        }
    }
}

/// A search hit as `--format json` prints it.
struct SearchHitJSON: Encodable {
    var incident: Int64
    var title: String
    var seq: Int64
    var stepID: String?
    var kind: String
    var timestamp: String
    var snippet: String

    init(_ hit: SearchHit) {
        incident = hit.incidentID
        title = hit.incidentTitle
        seq = hit.sequence
        stepID = hit.stepID
        kind = hit.kind.rawValue
        timestamp = TranscriptText.iso(hit.timestamp)
        snippet = hit.snippet
    }

    enum CodingKeys: String, CodingKey {
        case incident, title, seq, kind, timestamp, snippet
        case stepID = "step_id"
    }
}
