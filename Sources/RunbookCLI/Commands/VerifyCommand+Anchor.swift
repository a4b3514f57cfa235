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

extension VerifyCommand {
    /// Prints each incident's valid head signatures; with `--trust`, returns the first incident that has none by a
    /// trusted key, or one by another key.
    func checkSignatures(_ results: [VerificationResult]) throws -> UntrustedSignatures? {
        let trusted = try trust.map { try PublicSigningKey.trusted(path: $0) }
        var failure: UntrustedSignatures?
        for result in results where result.isIntact {
            var trustedCount = 0
            var others: [String] = []
            for signature in result.signatures {
                let name = PublicSigningKey(base64: signature.key).flatMap { trusted?[$0] }
                if name != nil { trustedCount += 1 } else if trusted != nil { others.append(signature.fingerprint) }
                let trustNote = trusted == nil ? "" : name.map { ", trusted: \($0)" } ?? ", NOT TRUSTED"
                print(
                    "incident \(result.incidentID): head #\(signature.head.sequence) signed at #\(signature.sequence) "
                        + "(\(signature.reason)) by \(signature.actor), key \(signature.fingerprint)\(trustNote)")
            }
            if trusted != nil, failure == nil, trustedCount == 0 || !others.isEmpty {
                failure = UntrustedSignatures(
                    incidentID: result.incidentID, file: trust ?? "", untrusted: others,
                    signatureCount: result.signatures.count)
            }
        }
        return failure
    }
}

/// `verify --trust`: no signature by a trusted key, or one by a key that is not trusted (exit 1).
struct UntrustedSignatures: UserFacingError {
    var incidentID: Int64
    var file: String
    var untrusted: [String]
    var signatureCount: Int

    var summary: String {
        if !untrusted.isEmpty {
            return "incident \(incidentID) has a head signature by a key not in \(file): "
                + untrusted.joined(separator: ", ")
        }
        return signatureCount == 0
            ? "incident \(incidentID) has no head signature; --trust \(file) requires one"
            : "incident \(incidentID) has no head signature by a key in \(file)"
    }

    var hint: String? {
        "a signature is made at resolve and handoff by a responder with a key (`runbook keys init`); a missing or "
            + "foreign one means the chain was not signed by your team, or was rewritten and re-signed"
    }

    var exitStatus: ExitStatus { .findings }
}
