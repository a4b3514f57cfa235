import Foundation

/// A command's output in the postmortem: a heading that counts its lines, then a fenced block of the first and last
/// `lines` lines (all of them when 0), each line cut at `lineBytes` with a mark, and a mark where the store cut the
/// output. The output is read from the transcript twice, one chunk at a time (to count, then to write), so an export
/// never holds it whole.
struct MarkdownOutput {
    /// Lines kept from the start and from the end; 0 keeps all of them.
    let lines: Int
    /// Bytes kept of each line shown.
    var lineBytes: Int { lines > 0 ? Self.shownLineBytes : Self.wholeLineBytes }

    /// Most bytes of output kept from the first pass for the second (the rest is read from the store again).
    static let keptBytes = 1 << 20

    /// Bytes of a line shown with `--lines N`.
    static let shownLineBytes = 1000
    /// Bytes of a line shown with `--lines 0` (everything): still a bound, so a line of any length cannot fill memory.
    static let wholeLineBytes = 1 << 20

    /// What the first pass finds.
    private struct Scan {
        var chunks = 0
        /// Lines, and the cut as a line of its own.
        var pieces = 0
        /// Which piece the cut is.
        var cutPiece: Int?
        var validUTF8 = UTF8Check()
        var backticks = BacktickRun()
    }

    /// Writes the output section of `command` to `out`.
    func write(_ command: CommandRecord, from transcript: IncidentTranscript, to out: inout ExportWriter) throws {
        let cutAt = command.droppedBytes > 0 ? command.droppedAt.map(Int.init) : nil
        var scan = Scan()
        var counter = OutputLines(keep: 0, cutAt: cutAt)
        func count(_ piece: OutputLines.Piece) {
            if case .cut = piece { scan.cutPiece = scan.pieces }
            scan.pieces += 1
        }
        // Output of up to `Self.keptBytes` is kept from the first pass for the second, so the common small output
        // is read from the store once; a larger one is read again, a chunk at a time.
        var kept: [OutputChunk]? = []
        var keptBytes = 0
        try transcript.forEachOutputChunk(ofCommand: command.sequence) { chunk in
            scan.chunks += 1
            scan.validUTF8.add(chunk.data)
            scan.backticks.add(chunk.data)
            counter.add(chunk.data, count)
            keptBytes += chunk.data.count
            if keptBytes <= Self.keptBytes { kept?.append(chunk) } else { kept = nil }
        }
        counter.finish(count)
        var notes: [String] = []
        if !scan.validUTF8.finish() { notes.append("bytes that are not UTF-8 are shown as �") }
        if command.droppedBytes > 0 {
            notes.append("\(command.droppedBytes) bytes beyond the store's cap were not kept")
        }
        guard scan.chunks > 0 else {
            out.raw("_No output recorded._" + (notes.isEmpty ? "" : " (\(notes.joined(separator: "; ")))"))
            return
        }
        out.raw(heading(scan, notes: notes))
        let fence = String(repeating: "`", count: max(3, scan.backticks.longest + 1))
        out.raw("\n\n" + fence + "text\n")
        try writeLines(command, scan: scan, cutAt: cutAt, kept: kept, from: transcript, to: &out)
        out.raw(fence)
    }

    /// `Output (N lines, first and last 20 shown; notes):`.
    private func heading(_ scan: Scan, notes: [String]) -> String {
        let lineCount = scan.pieces - (scan.cutPiece == nil ? 0 : 1)
        var heading = "Output (\(lineCount) line\(lineCount == 1 ? "" : "s")"
        if lines > 0, scan.pieces > 2 * lines { heading += ", first and last \(lines) shown" }
        return heading + (notes.isEmpty ? "):" : "; \(notes.joined(separator: "; "))):")
    }

    /// The second pass: the lines shown, the line standing for those left out, and the cut.
    private func writeLines(
        _ command: CommandRecord, scan: Scan, cutAt: Int?, kept: [OutputChunk]?, from transcript: IncidentTranscript,
        to out: inout ExportWriter
    ) throws {
        let total = scan.pieces
        let gap = lines > 0 && total > 2 * lines ? lines..<(total - lines) : nil
        var index = 0
        var reader = OutputLines(keep: lineBytes, cutAt: cutAt)
        var failure: (any Error)?
        func write(_ piece: OutputLines.Piece) {
            defer { index += 1 }
            if let gap, gap.contains(index) {
                guard index == gap.lowerBound else { return }
                var line = "[… \(gap.count) line\(gap.count == 1 ? "" : "s") left out"
                if let cut = scan.cutPiece, gap.contains(cut) {
                    line += "; \(command.droppedBytes) bytes not kept (output limit) among them"
                }
                out.raw(line + " …]\n")
                return
            }
            switch piece {
            case .cut:
                out.raw("[… \(command.droppedBytes) bytes not kept (output limit) …]\n")
            case .line(let bytes, let omitted):
                out.raw(TerminalText.plain(TerminalText.decode(Data(bytes)).text))
                if omitted > 0 { out.raw(" [… \(omitted) more bytes of this line left out …]") }
                out.raw("\n")
            }
            if failure == nil {
                do { try out.flushIfFull() } catch { failure = error }
            }
        }
        if let kept {
            for chunk in kept {
                reader.add(chunk.data, write)
                if let failure { throw failure }
            }
        } else {
            try transcript.forEachOutputChunk(ofCommand: command.sequence) { chunk in
                reader.add(chunk.data, write)
                if let failure { throw failure }
            }
        }
        reader.finish(write)
        if let failure { throw failure }
    }
}

/// Whether bytes given in pieces are UTF-8 as a whole: a sequence split between two pieces is joined first.
struct UTF8Check {
    private var carry: [UInt8] = []
    private var valid = true

    mutating func add(_ data: Data) {
        guard valid else { return }
        var bytes = carry
        bytes.append(contentsOf: data)
        let complete = OutputDecoder.completePrefixLength(bytes)
        if String(validating: bytes[..<complete], as: UTF8.self) == nil { valid = false }
        carry = Array(bytes[complete...])
    }

    /// Whether everything was UTF-8 (nothing left incomplete at the end).
    mutating func finish() -> Bool { valid && carry.isEmpty }
}

/// The longest run of backticks in bytes given in pieces, so a fence around them is longer.
struct BacktickRun {
    private(set) var longest = 0
    private var run = 0

    mutating func add(_ data: Data) {
        data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            for byte in bytes {
                if byte == UInt8(ascii: "`") {
                    run += 1
                    longest = max(longest, run)
                } else {
                    run = 0
                }
            }
        }
    }
}
