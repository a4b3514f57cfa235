import Foundation

extension MarkdownPostmortemExporter {
    /// `export ID --update FILE`: rewrites the generated blocks of the postmortem at `path` from incident `id` as it
    /// is now, and keeps, byte for byte, everything the author wrote outside them (in the file's line endings).
    ///
    /// The file is read and checked first: a block whose text no longer matches its hash (edited by the author), and
    /// markers missing, duplicated, unclosed or out of order, are conflicts, and nothing is written. The new file
    /// replaces the old atomically, keeping its mode (`ExportFile.write`).
    /// - Throws: `ExportError.updateConflict` (section and file:line), `.cannotUpdate` (missing, unreadable, not a
    ///   Markdown export of this incident), `.symbolicLink`, `.cannotWrite`, `.unknownIncident`; store errors.
    public func update(incidentID id: Int64, from store: any TranscriptStore, file path: String) throws {
        let document = try PostmortemDocument(path: path, generatorMarker: generatorMarker)
        guard document.incidentID == id else {
            throw ExportError.cannotUpdate(
                path: path,
                reason: "it is the export of "
                    + (document.incidentID.map { "incident \($0)" } ?? "an unnamed incident")
                    + ", not of incident \(id)")
        }
        let transcript = try IncidentTranscript.load(incidentID: id, from: store)
        try document.check(expected: Self.blockNames(drill: transcript.incident.isDrill))
        try ExportFile.write(to: path, marker: generatorMarker) { sink in
            try write(transcript, to: sink, merging: document)
        }
    }
}
