/// Why the anchor log could not be written or read.
public enum AnchorLogError: UserFacingError, Equatable {
    /// Appending a line failed (the event it anchors is committed all the same).
    case cannotWrite(path: String, reason: String)
    /// The file given to `verify --anchor` cannot be read.
    case unreadable(path: String, reason: String)
    /// A line of the file is not an anchor.
    case malformed(path: String, line: Int, detail: String)

    public var summary: String {
        switch self {
        case .cannotWrite(let path, let reason):
            return "could not append to the anchor log \(path): \(reason); the event itself is recorded"
        case .unreadable(let path, let reason):
            return "cannot read the anchor file \(path): \(reason)"
        case .malformed(_, _, let detail):
            return "this line is not an anchor: \(detail)"
        }
    }

    public var location: SourceLocation? {
        if case .malformed(let path, let line, _) = self { return SourceLocation(file: path, line: line) }
        return nil
    }

    public var hint: String? {
        switch self {
        case .cannotWrite:
            return "make the directory writable (or free space); until then copy the chain head from "
                + "`runbook export --format json` (chain_head) somewhere safe."
        case .unreadable:
            return "give the anchor log (<database>.anchors, or a copy shipped elsewhere) or SEQ:HASH, "
                + "e.g. --anchor 12:3f9a…"
        case .malformed:
            return "each line must be a JSON object such as "
                + "{\"event\":\"incident.declared\",\"hash\":\"<64 hex>\",\"incident\":1,\"seq\":1,\"time\":\"…\"}"
        }
    }

    public var exitStatus: ExitStatus {
        switch self {
        case .cannotWrite: return .database
        case .unreadable, .malformed: return .usage
        }
    }
}
