import Foundation

/// Turns an incident's transcript into a document. Exporters read only through `TranscriptStore`, so every
/// backend exports the same way, and only what the store holds (secrets were redacted before storage).
public protocol IncidentExporter: Sendable {
    /// File extension of the format, without the dot (`md`, `json`, `cast`).
    var fileExtension: String { get }
    /// Renders a report already read from the store.
    func render(_ report: IncidentReport) throws -> Data
}

extension IncidentExporter {
    /// Reads incident `id` from `store` and renders it.
    public func export(incidentID id: Int64, from store: any TranscriptStore) throws -> Data {
        try render(IncidentReport.load(incidentID: id, from: store))
    }

    /// Reads incident `id` from `store`, with its escalation timers and notification outbox, and renders it.
    public func export(incidentID id: Int64, from store: any EscalationStore) throws -> Data {
        try render(IncidentReport.load(incidentID: id, from: store))
    }

    /// The default file name: `YYYY-MM-DD-ID-slug.ext`, dated by the declaration (UTC).
    public func defaultFileName(for incident: Incident) -> String {
        "\(ExportFormatting.day(incident.declaredAt))-\(incident.id)-\(ExportFormatting.slug(incident.title)).\(fileExtension)"
    }
}
