import Foundation
import RunbookKit

extension VerifyCommand {
    /// Checks incident `id` against every anchor `--anchor` names (none without it), printing one line each.
    /// - Throws: `AnchorLogError` when the file cannot be read or has no anchor of the incident; store errors.
    func checkAnchors(of id: Int64, in store: SQLiteTranscriptStore) throws -> [AnchorCheck] {
        guard let anchor else { return [] }
        let anchors: [ChainAnchor]
        if let head = ChainHead(parsing: anchor) {
            anchors = [ChainAnchor(incidentID: id, head: head, source: "--anchor")]
        } else {
            guard FileManager.default.fileExists(atPath: anchor) || !anchor.contains(":") else {
                throw AnchorLogError.unreadable(
                    path: anchor, reason: "not a file, and not SEQ:HASH (a sequence number, a colon, 64 hex digits)")
            }
            anchors = try AnchorLog(path: anchor).anchors(incidentID: id)
            guard !anchors.isEmpty else {
                throw AnchorLogError.unreadable(path: anchor, reason: "it holds no anchor of incident \(id)")
            }
        }
        return try anchors.map { anchor in
            let check = try store.verify(incidentID: id, against: anchor)
            print("incident \(id): \(check.description)")
            return check
        }
    }
}

/// The database disagrees with a chain head recorded outside it: exit 1 (findings).
struct AnchorDisagrees: UserFacingError {
    var check: AnchorCheck
    var count: Int
    var path: String

    var summary: String {
        let anchor = check.anchor
        let what: String
        switch check {
        case .rewritten: what = "rewritten: event #\(anchor.head.sequence) no longer has the anchored hash"
        default: what = "truncated: event #\(anchor.head.sequence) is gone"
        }
        let more = count > 1 ? " (\(count) anchors disagree)" : ""
        return "incident \(anchor.incidentID) in \(path) was \(what) (anchor from \(anchor.source))\(more)"
    }

    var hint: String? {
        "the database was changed after that anchor was recorded; keep the file unchanged as evidence, and rebuild "
            + "the time line from the exports and notifications, which carry the chain head as it was."
    }

    var exitStatus: ExitStatus { .findings }
}
