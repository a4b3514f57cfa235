import Foundation

/// Redacts a command's output on its way to storage, also when a secret is split across two chunks.
///
/// The last `Redactor.holdback` bytes are held back until more output (or `finish()`) shows how they
/// continue, and a pattern match that reaches into that tail is held back whole. Chunk boundaries and their
/// time offsets are kept, so a replay keeps its timing. Only storage sees this; the screen shows the real output.
public final class StreamingRedactor: FinishingOutputSink {
    private let redactor: Redactor
    private let downstream: any OutputSink
    private var pending = Data()
    /// Where each received chunk ends in `pending`, with its time offset.
    private var boundaries: [(end: Int, offset: TimeInterval)] = []

    /// A sink that redacts with `redactor` and passes the result to `downstream`.
    public init(redactor: Redactor, forwardingTo downstream: any OutputSink) {
        self.redactor = redactor
        self.downstream = downstream
    }

    public func receive(_ bytes: Data, offset: TimeInterval) {
        guard !bytes.isEmpty else { return }
        pending.append(bytes)
        // Storage keeps offsets in milliseconds: reads within one millisecond are passed on as one chunk.
        if let last = boundaries.last, Self.millisecond(last.offset) == Self.millisecond(offset) {
            boundaries[boundaries.count - 1].end = pending.count
        } else {
            boundaries.append((pending.count, offset))
        }
        // Scanning at least as much new output as is held back keeps the rescanning under 2×.
        let holdback = redactor.holdback
        if pending.count >= holdback + max(holdback, 8192) { process(final: false, holdback: holdback) }
    }

    public func finish() {
        process(final: true, holdback: 0)
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

    private func process(final: Bool, holdback: Int) {
        guard !pending.isEmpty else { return }
        let scan = pending.withUnsafeBytes { redactor.scan($0) }
        let regions = scan.regions
        var cut = final ? pending.count : pending.count - holdback
        if !final {
            for match in scan.matches + regions.map(\.match) where match.lowerBound < cut && match.upperBound > cut {
                cut = min(cut, match.lowerBound)
            }
            if let offsets = scan.visibleOffsets { cut = Self.outsideEscapes(cut, visibleOffsets: offsets) }
        }
        guard cut > 0 else { return }
        var start = 0
        var consumed = 0
        for boundary in boundaries {
            guard start < cut else { break }
            let end = min(boundary.end, cut)
            if end > start {
                downstream.receive(Redactor.apply(regions, to: pending, range: start..<end), offset: boundary.offset)
            }
            start = end
            if boundary.end <= cut { consumed += 1 }
        }
        boundaries.removeFirst(consumed)
        for index in boundaries.indices { boundaries[index].end -= cut }
        pending = cut == pending.count ? Data() : pending.subdata(in: cut..<pending.count)
    }
}
