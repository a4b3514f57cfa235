import Foundation

/// The share links of `runbook serve`'s incident pages as a store keeps them (`ShareLinks` makes and reads them):
/// the SHA-256 of each link's id, never the id, the incident it opens, and when it was made. A link lives in the
/// store of its incident, since an incident id means something only there; revoking one deletes its row.
public protocol ShareLinkStore: TranscriptStore {
    /// Stores a link to `incidentID` (an unknown incident is `TranscriptError.unknownIncident`).
    func addShareLink(digest: String, incidentID: Int64, at time: Date) throws
    /// The incident the link with `digest` opens, or `nil` when there is no such link.
    func shareLinkIncident(digest: String) throws -> Int64?
    /// Deletes the link with `digest`; returns how many were deleted (0 or 1).
    func removeShareLink(digest: String) throws -> Int
    /// Deletes every link to `incidentID`; returns how many there were.
    func removeShareLinks(incidentID: Int64) throws -> Int
}
