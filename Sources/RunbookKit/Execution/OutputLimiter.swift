import Foundation

/// Keeps the head and the tail of a command's stored output within a per-command limit.
///
/// The first three quarters of the limit pass straight on; after that only the most recent quarter is
/// kept (in memory, so recording 1 GB stays small) and passed on at `finish()`. The screen is not affected:
/// this sits between the runner and storage only. `droppedBytes` is recorded in `command.finished`.
public final class OutputLimiter: FinishingOutputSink {
    /// 64 MiB.
    public static let defaultLimit = 64 * 1024 * 1024

    /// Most bytes passed on for one command.
    public let limit: Int
    /// Bytes that were neither in the head nor in the tail.
    public private(set) var droppedBytes = 0

    private let headLimit: Int
    private let tailLimit: Int
    private let downstream: any OutputSink
    private var headBytes = 0
    private var tail: [(data: Data, offset: TimeInterval)] = []
    private var tailFirst = 0
    private var tailBytes = 0

    /// A sink passing at most `limit` bytes to `downstream`.
    public init(forwardingTo downstream: any OutputSink, limit: Int = OutputLimiter.defaultLimit) {
        self.downstream = downstream
        self.limit = max(0, limit)
        tailLimit = self.limit / 4
        headLimit = self.limit - tailLimit
    }

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
        tail.append((Data(rest), offset))
        tailBytes += rest.count
        while tailFirst < tail.count && tailBytes - tail[tailFirst].data.count >= tailLimit {
            tailBytes -= tail[tailFirst].data.count
            droppedBytes += tail[tailFirst].data.count
            tail[tailFirst].data = Data()
            tailFirst += 1
        }
        if tailBytes > tailLimit {
            let excess = tailBytes - tailLimit
            let first = tail[tailFirst].data
            tail[tailFirst].data = first.subdata(in: (first.startIndex + excess)..<first.endIndex)
            tailBytes -= excess
            droppedBytes += excess
        }
        if tailFirst > 1024 && tailFirst * 2 > tail.count {
            tail.removeFirst(tailFirst)
            tailFirst = 0
        }
    }

    public func finish() {
        for chunk in tail[tailFirst...] where !chunk.data.isEmpty {
            downstream.receive(chunk.data, offset: chunk.offset)
        }
        tail = []
        tailFirst = 0
        tailBytes = 0
        (downstream as? any FinishingOutputSink)?.finish()
    }
}
