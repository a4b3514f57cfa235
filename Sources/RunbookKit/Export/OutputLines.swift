import Foundation

/// A command's stored output cut into lines as its chunks are read, never held whole: each line's first
/// `keep` bytes (the rest only counted), and the place where the store dropped bytes (`cutAt`, a byte offset in the
/// stored output) as an event of its own. A line is what lies between newline bytes; a trailing newline ends the last
/// line (it starts no empty one), and the cut ends the line it falls in.
struct OutputLines {
    /// What the reader finds, in order.
    enum Piece {
        /// One line: its first bytes, and how many more it had.
        case line([UInt8], omitted: Int)
        /// Where the store dropped bytes.
        case cut
    }

    /// Bytes kept of each line.
    let keep: Int
    /// Stored byte offset of the cut, if any.
    private var cutAt: Int?
    private var position = 0
    private var line: [UInt8] = []
    private var omitted = 0

    /// A reader keeping `keep` bytes of each line, with a cut at `cutAt`.
    init(keep: Int, cutAt: Int?) {
        self.keep = keep
        self.cutAt = cutAt
    }

    /// Takes the next chunk of output; gives each line it completes (and the cut) to `emit`.
    mutating func add(_ data: Data, _ emit: (Piece) throws -> Void) rethrows {
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            var start = 0
            while start < bytes.count {
                // Up to the cut, when it falls in this chunk, else to the end of the chunk.
                var end = bytes.count
                if let cut = cutAt, cut < position + bytes.count { end = max(start, cut - position) }
                if start == end, let cut = cutAt, cut == position + start {
                    try endLineAtCut(emit)
                    continue
                }
                let newline = memchr(bytes.baseAddress! + start, 0x0A, end - start).map {
                    bytes.baseAddress!.distance(to: $0.assumingMemoryBound(to: UInt8.self))
                }
                let stop = newline ?? end
                take(UnsafeBufferPointer(rebasing: bytes[start..<stop]))
                if newline != nil {
                    try emit(.line(line, omitted: omitted))
                    line.removeAll(keepingCapacity: true)
                    omitted = 0
                    start = stop + 1
                } else {
                    start = stop
                }
            }
            position += bytes.count
        }
    }

    /// Gives the last line, and a cut at the very end, to `emit`.
    mutating func finish(_ emit: (Piece) throws -> Void) rethrows {
        if let cut = cutAt, cut >= position { try endLineAtCut(emit) }
        if !line.isEmpty || omitted > 0 { try emit(.line(line, omitted: omitted)) }
        line.removeAll()
        omitted = 0
    }

    private mutating func endLineAtCut(_ emit: (Piece) throws -> Void) rethrows {
        cutAt = nil
        if !line.isEmpty || omitted > 0 {
            try emit(.line(line, omitted: omitted))
            line.removeAll(keepingCapacity: true)
            omitted = 0
        }
        try emit(.cut)
    }

    private mutating func take(_ bytes: UnsafeBufferPointer<UInt8>) {
        let room = max(0, keep - line.count)
        line.append(contentsOf: UnsafeBufferPointer(rebasing: bytes.prefix(room)))
        omitted += max(0, bytes.count - room)
    }
}
