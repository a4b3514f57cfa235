import Foundation

/// Redacts a command's output on its way to storage, also when a secret is split across two chunks.
///
/// The last `Redactor.holdback` bytes are held back until more output (or `finish()`) shows how they
/// continue, and a pattern match that reaches into that tail is held back whole. Chunk boundaries and their
/// time offsets are kept, so a replay keeps its timing. Only storage sees this; the screen shows the real output.
///
/// A quiet command (`kubectl get pods -w`) would keep its last lines back until it ends: `releaseCompleteLines()`,
/// called when the output has paused, passes on every complete line, except a pattern match that reaches the end
/// of them (an unterminated key block, a `data:` block of a secret) and an unfinished secret value of several
/// lines, which wait whole. The lines passed on early stay as scanning context for what follows, so a block whose
/// first line went early is still recognised in its later lines. Thread-safe: the pause is noticed on a timer.
public final class StreamingRedactor: FinishingOutputSink, @unchecked Sendable {
    private let redactor: Redactor
    private let downstream: any OutputSink
    private let lock = NSLock()
    private var pending = Data()
    /// Where each received chunk ends in `pending`, with its time offset.
    private var boundaries: [(end: Int, offset: TimeInterval)] = []
    /// The last bytes passed on by `releaseCompleteLines` (as received, never stored from here), scanned again in
    /// front of `pending` until a regular pass has held back a whole `holdback` after them.
    private var context = Data()
    private var finished = false

    /// A sink that redacts with `redactor` and passes the result to `downstream`.
    public init(redactor: Redactor, forwardingTo downstream: any OutputSink) {
        self.redactor = redactor
        self.downstream = downstream
    }

    public func receive(_ bytes: Data, offset: TimeInterval) {
        guard !bytes.isEmpty else { return }
        lock.withLock {
            guard !finished else { return }
            pending.append(bytes)
            // Storage keeps offsets in milliseconds: reads within one millisecond are passed on as one chunk.
            if let last = boundaries.last, Self.millisecond(last.offset) == Self.millisecond(offset) {
                boundaries[boundaries.count - 1].end = pending.count
            } else {
                boundaries.append((pending.count, offset))
            }
            // Scanning at least as much new output as is held back keeps the rescanning under 2×.
            let holdback = redactor.holdback
            if pending.count >= holdback + max(holdback, 8192) { process(.regular(holdback: holdback)) }
        }
    }

    /// The output has paused: passes on every complete line held back, but for a match or an unfinished secret
    /// that reaches their end.
    public func releaseCompleteLines() {
        lock.withLock {
            guard !finished else { return }
            process(.completeLines)
        }
    }

    public func finish() {
        lock.withLock {
            guard !finished else { return }
            process(.final)
            finished = true
        }
        (downstream as? any FinishingOutputSink)?.finish()
    }

    /// `cut`, moved back to just after the last visible byte when it falls inside a run of escape sequences, so
    /// that the held-back output starts with a whole escape sequence and is stripped as the screen shows it. A run
    /// longer than `Redactor.escapeAllowance` (an unterminated OSC swallowing binary output) is cut anyway.
    static func outsideEscapes(_ cut: Int, visibleOffsets offsets: [Int]) -> Int {
        // The first visible byte at or after `cut`.
        var low = 0
        var high = offsets.count
        while low < high {
            let middle = (low + high) / 2
            if offsets[middle] < cut { low = middle + 1 } else { high = middle }
        }
        if low < offsets.count && offsets[low] == cut { return cut }
        let afterVisible = low == 0 ? 0 : offsets[low - 1] + 1
        return cut - afterVisible > Redactor.escapeAllowance ? cut : afterVisible
    }

    private static func millisecond(_ offset: TimeInterval) -> Int64 { Int64((offset * 1000).rounded()) }

    private enum Pass {
        /// Everything but the last `holdback` bytes (and a match reaching into them).
        case regular(holdback: Int)
        /// Every complete line, but a match or an unfinished secret reaching their end.
        case completeLines
        /// Everything: the command ended.
        case final
    }

    private func process(_ pass: Pass) {
        guard !pending.isEmpty else { return }
        let base = context.count
        let buffer = base == 0 ? pending : context + pending
        let scan = buffer.withUnsafeBytes { redactor.scan($0) }
        let regions = scan.regions
        var cut: Int
        switch pass {
        case .final:
            cut = buffer.count
        case .regular(let holdback):
            cut = buffer.count - holdback
            for match in scan.matches + regions.map(\.match) where match.lowerBound < cut && match.upperBound > cut {
                cut = min(cut, match.lowerBound)
            }
        case .completeLines:
            guard let newline = pending.lastIndex(of: 0x0A) else { return }
            cut = base + (newline - pending.startIndex) + 1
            // A match that goes through the cut waits whole; so does one that reaches the end of the complete
            // lines when it may go on in the next line (a key block, a secret's `data:` block).
            for match in scan.matches + regions.map(\.match) where match.lowerBound < cut && match.upperBound > cut {
                cut = min(cut, match.lowerBound)
            }
            for match in scan.lineSpanningMatches where match.lowerBound < cut && match.upperBound >= cut - 2 {
                cut = min(cut, match.lowerBound)
            }
            if cut > base, let secret = buffer.prefix(cut).withUnsafeBytes({ redactor.unfinishedSecretStart($0) }) {
                cut = min(cut, secret)
            }
        }
        if case .final = pass {
        } else if let offsets = scan.visibleOffsets {
            cut = Self.outsideEscapes(cut, visibleOffsets: offsets)
        }
        // The context was passed on already: only what follows it is.
        let released = cut - base
        guard released > 0 else { return }
        var start = 0
        var consumed = 0
        for boundary in boundaries {
            guard start < released else { break }
            let end = min(boundary.end, released)
            if end > start {
                downstream.receive(
                    Redactor.apply(regions, to: buffer, range: (base + start)..<(base + end)), offset: boundary.offset)
            }
            start = end
            if boundary.end <= released { consumed += 1 }
        }
        boundaries.removeFirst(consumed)
        for index in boundaries.indices { boundaries[index].end -= released }
        if case .completeLines = pass {
            // Kept as context: enough for any match to be seen whole from its start.
            context = buffer.subdata(in: max(0, cut - redactor.holdback)..<cut)
        } else {
            context = Data()
        }
        pending = released == pending.count ? Data() : pending.subdata(in: released..<pending.count)
    }
}
