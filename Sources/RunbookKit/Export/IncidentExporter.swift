import Foundation

/// Turns an incident's transcript into a document, written to a sink as it is produced. Exporters read only through
/// `IncidentTranscript` (so only what the store holds: secrets were redacted before storage), and go through the
/// events once, holding only what the document needs later.
public protocol IncidentExporter: Sendable {
    /// File extension of the format, without the dot (`md`, `json`, `cast`).
    var fileExtension: String { get }
    /// Text every document of this format holds near its start (in its first `ExportFile.markerWindow` bytes): a
    /// file without it was not written by an export, and `-o` replaces it only with `--force`.
    var generatorMarker: String { get }
    /// Writes the document of `transcript` to `sink`.
    /// - Throws: store errors as they come; `ExportError.cannotWrite` when the sink fails.
    func write(_ transcript: IncidentTranscript, to sink: ExportSink) throws
}

extension IncidentExporter {
    /// The document of `transcript`, in memory.
    public func render(_ transcript: IncidentTranscript) throws -> Data {
        let sink = ExportSink()
        try write(transcript, to: sink)
        return sink.data
    }

    /// Exports incident `id` of `store`, the one way every caller (`runbook export`, the REPL's `export`) does: to
    /// the file `path`, to standard output when `path` is `-`, or to `transcripts/` under `defaultFileName` when
    /// `path` is `nil`. Returns where the document went (`-` for standard output). A file is replaced atomically,
    /// and only when an export wrote it or `force` is set (see `ExportFile.write`).
    /// - Throws: `ExportError.unknownIncident`; `ExportError.cannotWrite`, `.symbolicLink`, `.notAnExport`; store
    ///   errors as they come.
    @discardableResult
    public func export(
        incidentID id: Int64, from store: any TranscriptStore, to path: String? = nil, force: Bool = false
    ) throws -> String {
        let transcript = try IncidentTranscript.load(incidentID: id, from: store)
        if path == "-" {
            try write(transcript, to: ExportSink(fileDescriptor: STDOUT_FILENO, name: "standard output"))
            return "-"
        }
        let path = path ?? "transcripts/" + defaultFileName(for: transcript.incident)
        try ExportFile.write(to: path, marker: generatorMarker, force: force) { try write(transcript, to: $0) }
        return path
    }

    /// The generator marker of the JSON formats: a `"generator"` member near the start of the document.
    public static var jsonGeneratorMarker: String { "\"generator\": \"runbook export\"" }

    /// The default file name: `YYYY-MM-DD-ID-slug.ext`, dated by the declaration (UTC).
    public func defaultFileName(for incident: Incident) -> String {
        "\(ExportFormatting.day(incident.declaredAt))-\(incident.id)-\(ExportFormatting.slug(incident.title)).\(fileExtension)"
    }
}
