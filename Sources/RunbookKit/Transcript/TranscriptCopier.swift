import Foundation

/// Copies every incident of one store into another, as stored (`runbook store copy`).
///
/// Nothing is written until everything is checked: every source chain verifies (or `allowBroken`), and no id or
/// incident key of the source is already in the destination. Then each incident is read in one snapshot, checked
/// again as read, written in one transaction, and verified on the destination, where it must verify exactly as it
/// did on the source.
public struct TranscriptCopier {
    public let source: any TranscriptCopying
    public let destination: any TranscriptCopying
    /// How messages name the source and the destination (a path, or a URL without its password).
    public let sourceName: String
    public let destinationName: String

    public init(
        from source: any TranscriptCopying, named sourceName: String, to destination: any TranscriptCopying,
        named destinationName: String
    ) {
        self.source = source
        self.destination = destination
        self.sourceName = sourceName
        self.destinationName = destinationName
    }

    /// What a copy did.
    public struct Summary: Sendable, Equatable {
        public var incidents = 0
        public var events = 0
        public var outputBytes = 0
        /// Incidents whose copy verifies intact on the destination.
        public var verified = 0
        /// Incidents copied broken, as they were (`allowBroken`), by id.
        public var copiedBroken: [Int64] = []
    }

    /// Copies every incident; `progress` is called after each one. Throws `TranscriptCopyError` before writing
    /// anything when the copy is refused.
    public func copy(allowBroken: Bool, progress: (StoredIncident, VerificationResult) -> Void = { _, _ in })
        throws -> Summary
    {
        let identities = try source.incidentIdentities()
        let taken = try destination.incidentIdentities()
        let takenIDs = Set(taken.map(\.id))
        let takenKeys = Set(taken.compactMap(\.key))
        let conflicts = identities.filter { takenIDs.contains($0.id) || ($0.key.map(takenKeys.contains) ?? false) }
        if !conflicts.isEmpty {
            throw TranscriptCopyError.destinationHoldsIncidents(
                destination: destinationName, ids: conflicts.map(\.id))
        }
        let broken = try identities.map { try source.verify(incidentID: $0.id) }.filter { !$0.isIntact }
        if !broken.isEmpty, !allowBroken {
            throw TranscriptCopyError.brokenSource(source: sourceName, results: broken)
        }
        var summary = Summary()
        for identity in identities {
            guard let incident = try source.storedIncident(identity.id) else { continue }
            // What is written is checked as read: a change between the first check and this read is caught too.
            let before = try TranscriptVerifier.verify(
                incidentID: incident.id, from: StoredIncidentSource(incident: incident))
            if !before.isIntact, !allowBroken {
                throw TranscriptCopyError.brokenSource(source: sourceName, results: [before])
            }
            try destination.insertStoredIncident(incident)
            let after = try destination.verify(incidentID: incident.id)
            guard after.isIntact == before.isIntact, after.eventCount == before.eventCount,
                after.firstBrokenSequence == before.firstBrokenSequence
            else {
                throw TranscriptCopyError.copyDiffers(
                    destination: destinationName, incidentID: incident.id, source: before, copy: after)
            }
            summary.incidents += 1
            summary.events += incident.events.count
            summary.outputBytes += incident.outputBytes
            if after.isIntact { summary.verified += 1 } else { summary.copiedBroken.append(incident.id) }
            progress(incident, after)
        }
        return summary
    }
}

/// Why `runbook store copy` stopped.
public enum TranscriptCopyError: UserFacingError, Equatable {
    /// The destination already holds incidents with these ids or incident keys: nothing was written.
    case destinationHoldsIncidents(destination: String, ids: [Int64])
    /// Source chains that do not verify: nothing was written.
    case brokenSource(source: String, results: [VerificationResult])
    /// The copy on the destination does not verify as the source did.
    case copyDiffers(destination: String, incidentID: Int64, source: VerificationResult, copy: VerificationResult)
    /// The source and the destination are the same store.
    case sameStore(name: String)

    public var summary: String {
        switch self {
        case .destinationHoldsIncidents(let destination, let ids):
            let shown = ids.prefix(10).map(String.init).joined(separator: ", ") + (ids.count > 10 ? ", …" : "")
            return "\(destination) already holds incident(s) \(shown) (the same id or incident key): "
                + "nothing was copied"
        case .brokenSource(let source, let results):
            let first = results[0]
            return "the transcript of incident \(first.incidentID) in \(source) does not verify (first broken link "
                + "at event #\(first.firstBrokenSequence ?? 0): \(first.reason ?? "")"
                + (results.count > 1 ? "; and \(results.count - 1) more incident(s)" : "") + "): nothing was copied"
        case .copyDiffers(let destination, let id, let source, let copy):
            return "incident \(id) in \(destination) does not verify as its source did (source: "
                + "\(Self.describe(source)); copy: \(Self.describe(copy)))"
        case .sameStore(let name): return "\(name) is both the source and the destination"
        }
    }

    public var hint: String? {
        switch self {
        case .destinationHoldsIncidents:
            return "incident ids are part of every event's hash, so they are kept: copy into a new SQLite file or an "
                + "empty database (or schema); the incidents listed were already copied, or were declared there"
        case .brokenSource:
            return "run `runbook verify --all --db SOURCE` and keep the source as evidence; --allow-broken copies "
                + "such incidents as they are (they verify as broken on the destination too)"
        case .copyDiffers:
            return "keep the source; the incidents copied before this one are complete, this one is in the "
                + "destination as written: compare it with `runbook verify` on both"
        case .sameStore: return "give another --to"
        }
    }

    public var exitStatus: ExitStatus {
        switch self {
        case .brokenSource, .copyDiffers: return .findings
        case .destinationHoldsIncidents: return .refused
        case .sameStore: return .usage
        }
    }

    private static func describe(_ result: VerificationResult) -> String {
        result.isIntact
            ? "intact, \(result.eventCount) events"
            : "broken at event #\(result.firstBrokenSequence ?? 0)"
    }
}
