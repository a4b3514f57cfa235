import Foundation
import PostgresNIO
import RunbookKit

extension PostgresTranscriptStore {
    /// Full-text search over commands, outputs and notes of every incident, newest first: PostgreSQL's full-text
    /// search (`search_documents.document`, a `tsvector` in the `english` configuration, under a GIN index).
    ///
    /// Every word of `query` must occur (stemmed: "restarting" finds "restart"); a word ending in `*` matches as a
    /// prefix (`:*`). Each word is handed to `plainto_tsquery` as a bound value, so nothing typed is ever read as a
    /// `tsquery` operator (`!`, `|`, `<->`, quotes). Snippets put `[` and `]` around matches (`ts_headline`).
    public func search(_ query: String, limit: Int = 20) throws -> [SearchHit] {
        guard let search = SearchQuery(query) else { return [] }
        var bindings = PostgresBindings()
        let words = search.terms.map { term -> String in
            bindings.append(term.word)
            let plain = "plainto_tsquery('english', $\(bindings.count))"
            // A prefix: the word's lexemes, the last one matched as a prefix (a stop word alone matches nothing).
            return term.isPrefix
                ? "(CASE WHEN numnode(\(plain)) = 0 THEN \(plain) ELSE (\(plain)::text || ':*')::tsquery END)"
                : plain
        }
        bindings.append(Int64(limit))
        let sql = """
            WITH q AS (SELECT \(words.joined(separator: " && ")) AS query)
            SELECT d.incident, i.title, d.seq, d.step_id, d.kind, d.ts_ms,
                ts_headline('english', d.text, q.query,
                    'StartSel="[", StopSel="]", MaxWords=24, MinWords=8, ShortWord=2, HighlightAll=false')
            FROM q, search_documents d JOIN incidents i ON i.id = d.incident
            WHERE numnode(q.query) > 0 AND d.document @@ q.query
            ORDER BY d.ts_ms DESC, d.id DESC
            LIMIT $\(bindings.count)
            """
        return try reading {
            try self.query(PostgresQuery(unsafeSQL: sql, binds: bindings)).map { row in
                let (incident, title, sequence, stepID, kind, milliseconds, snippet) = try row.decode(
                    (Int64, String, Int64, String?, String, Int64, String).self)
                return SearchHit(
                    incidentID: incident, incidentTitle: title, sequence: sequence, stepID: stepID,
                    kind: SearchHit.Kind(rawValue: kind) ?? .note, timestamp: Self.date(milliseconds), snippet: snippet)
            }
        }
    }

    /// Adds one document to the search index, inside the caller's transaction.
    func index(
        incidentID: Int64, sequence: Int64, kind: SearchHit.Kind, stepID: String?, milliseconds: Int64, text: String
    ) throws {
        try query(
            """
            INSERT INTO search_documents (incident, seq, kind, step_id, ts_ms, text)
            VALUES (\(incidentID), \(sequence), \(kind.rawValue), \(stepID), \(milliseconds), \(text))
            """)
    }

    /// The bytes of the command's output already stored, counted chunk by chunk only as far as
    /// `SearchDocument.indexedOutputLimit` (chunk indexes run from 0 without a gap), so a long command costs a
    /// bounded read per batch.
    func storedOutputBytes(_ incidentID: Int64, _ commandSequence: Int64, lastChunk: Int64) throws -> Int {
        let limit = Int64(SearchDocument.indexedOutputLimit)
        let total = try query(
            """
            WITH RECURSIVE counted (next_chunk, total) AS (
                SELECT 0::bigint, 0::bigint
                UNION ALL
                SELECT c.next_chunk + 1, c.total + (
                    SELECT octet_length(data) FROM outputs
                    WHERE incident = \(incidentID) AND command_seq = \(commandSequence) AND chunk_index = c.next_chunk)
                FROM counted c WHERE c.total < \(limit) AND c.next_chunk <= \(lastChunk)
            )
            SELECT max(total) FROM counted
            """
        ).first?.decode(Int64?.self)
        return Int(total ?? 0)
    }
}
