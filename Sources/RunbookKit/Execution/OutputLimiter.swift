import Foundation

/// Keeps the head and the tail of a command's stored output within a per-command limit.
///
/// The first three quarters of the limit pass straight on; after that only the most recent quarter is
/// kept and passed on at `finish()`. The tail is kept in an unlinked temporary file (`OutputTail`), not in
/// memory, so recording a gigabyte stays small; it falls back to memory when no temporary file can be made.
/// The screen is not affected: this sits between the runner and storage only. `droppedBytes` is recorded in
/// `command.finished`.
public final class OutputLimiter: FinishingOutputSink {
    /// 64 MiB.
    public static let defaultLimit = 64 * 1024 * 1024

    /// Where the tail is kept: `$TMPDIR`, else `/tmp`.
    public static var defaultSpillDirectory: String {
        let directory = ProcessInfo.processInfo.environment["TMPDIR"] ?? ""
        return directory.isEmpty ? "/tmp" : directory
    }

    /// Most bytes passed on for one command.
    public let limit: Int
    /// Bytes that were neither in the head nor in the tail.
    public var droppedBytes: Int { droppedBefore + (tail?.droppedBytes ?? 0) }
    /// Where in the output passed on the dropped bytes were (the end of the head), when any were dropped.
    public var droppedAt: Int? { droppedBytes > 0 ? headBytes : nil }

    private let headLimit: Int
    private let tailLimit: Int
    private let spillDirectory: String?
    private let downstream: any OutputSink
    private var headBytes = 0
    private var tail: OutputTail?
    /// Dropped bytes not (or no longer) counted by `tail`.
    private var droppedBefore = 0

    /// A sink passing at most `limit` bytes to `downstream`, keeping the tail in a temporary file in
    /// `spillDirectory` (in memory when it is `nil` or unusable).
    public init(
        forwardingTo downstream: any OutputSink, limit: Int = OutputLimiter.defaultLimit,
        spillDirectory: String? = OutputLimiter.defaultSpillDirectory
    ) {
        self.downstream = downstream
        self.limit = max(0, limit)
        self.spillDirectory = spillDirectory
        tailLimit = self.limit / 4
        headLimit = self.limit - tailLimit
    }

    /// Whether the tail is being kept in a temporary file (false before the head is full, and after a fallback
    /// to memory).
    var tailIsInFile: Bool { tail?.isInFile ?? false }

    public func receive(_ bytes: Data, offset: TimeInterval) {
        var rest = bytes
        if headBytes < headLimit {
            let take = min(bytes.count, headLimit - headBytes)
            headBytes += take
            if take == bytes.count {
                downstream.receive(bytes, offset: offset)
                return
            }
            downstream.receive(bytes.prefix(take), offset: offset)
            rest = bytes.suffix(from: bytes.startIndex + take)
        }
        guard tailLimit > 0 else {
            droppedBefore += rest.count
            return
        }
        if tail == nil { tail = OutputTail(capacity: tailLimit, directory: spillDirectory) }
        tail?.append(rest, offset: offset)
    }

    public func finish() {
        if let tail {
            let unreadable = tail.drain { downstream.receive($0, offset: $1) }
            droppedBefore += tail.droppedBytes + unreadable
            self.tail = nil
        }
        (downstream as? any FinishingOutputSink)?.finish()
    }
}
