import GRDB

extension SQLiteTranscriptStore {
    /// Full-text search over commands, outputs and notes of every incident, newest first.
    ///
    /// Every word of `query` must occur (porter stemming: "restarting" finds "restart"); a word
    /// ending in `*` matches as a prefix. FTS5 operators are not interpreted, so text pasted from a
    /// shell (`kubectl -n prod`) is searched as words rather than rejected as a syntax error.
    public func search(_ query: String, limit: Int = 20) throws -> [SearchHit] {
        guard let pattern = Self.matchPattern(query) else { return [] }
        return try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT d.incident, i.title, d.seq, d.step_id, d.kind, d.ts_ms,
                        snippet(search_index, 0, '[', ']', '…', 12) AS snippet
                    FROM search_index
                    JOIN search_documents d ON d.id = search_index.rowid
                    JOIN incidents i ON i.id = d.incident
                    WHERE search_index MATCH ?
                    ORDER BY d.ts_ms DESC, d.id DESC
                    LIMIT ?
                    """,
                arguments: [pattern, limit]
            ).map { row in
                let kind: String = row["kind"]
                return SearchHit(
                    incidentID: row["incident"], incidentTitle: row["title"], sequence: row["seq"],
                    stepID: row["step_id"], kind: SearchHit.Kind(rawValue: kind) ?? .note,
                    timestamp: Self.date(row["ts_ms"]), snippet: row["snippet"])
            }
        }
    }

    /// Quotes each word as an FTS5 string (implicit AND); `nil` when there is nothing to search for.
    static func matchPattern(_ query: String) -> String? {
        SearchQuery(query)?.terms.map { term in
            let quoted = "\"" + term.word.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            return term.isPrefix ? quoted + "*" : quoted
        }.joined(separator: " ")
    }
}
