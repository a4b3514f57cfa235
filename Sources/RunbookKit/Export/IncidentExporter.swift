import Foundation

/// Turns an incident's transcript into a document, written to a sink as it is produced. Exporters read only through
/// `IncidentTranscript` (so only what the store holds: secrets were redacted before storage), and go through the
/// events once, holding only what the document needs later.
public protocol IncidentExporter: Sendable {
    /// File extension of the format, without the dot (`md`, `json`, `cast`).
    var fileExtension: String { get }
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

    /// Reads incident `id` from `store` and renders it.
    public func export(incidentID id: Int64, from store: any TranscriptStore) throws -> Data {
        try render(IncidentTranscript.load(incidentID: id, from: store))
    }

    /// Reads incident `id` from `store`, with its escalation timers and notification outbox, and renders it.
    public func export(incidentID id: Int64, from store: any EscalationStore) throws -> Data {
        try render(IncidentTranscript.load(incidentID: id, from: store))
    }

    /// The default file name: `YYYY-MM-DD-ID-slug.ext`, dated by the declaration (UTC).
    public func defaultFileName(for incident: Incident) -> String {
        "\(ExportFormatting.day(incident.declaredAt))-\(incident.id)-\(ExportFormatting.slug(incident.title)).\(fileExtension)"
    }
}
