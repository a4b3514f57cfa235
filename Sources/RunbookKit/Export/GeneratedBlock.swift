import Crypto
import Foundation

/// The marker comments around each section an export generates, which render invisibly (HTML comments):
///
///     <!-- runbook:begin timeline -->
///     …what the export wrote…
///     <!-- runbook:end timeline sha256:0123456789abcdef -->
///
/// The end marker holds the start of the SHA-256 of the lines between the markers (line endings read as LF, so a
/// file an editor turned to CRLF still matches), which is how `export --update` tells a block it wrote from one an
/// author edited. Everything outside the blocks is the author's.
public enum GeneratedBlock {
    /// How every marker line starts.
    static let prefix = "<!-- runbook:"

    /// A marker line, read.
    enum Marker: Equatable {
        case begin(String)
        case end(String, hash: String?)
    }

    /// The begin marker of block `name`.
    static func begin(_ name: String) -> String { "\(prefix)begin \(name) -->" }

    /// The end marker the exporter writes; `BlockSealer` adds the hash.
    static func end(_ name: String) -> String { "\(prefix)end \(name) -->" }

    /// The end marker with the content's hash.
    static func sealedEnd(_ name: String, hash: String) -> String { "\(prefix)end \(name) sha256:\(hash) -->" }

    /// Whether `line` (without its line ending) is meant as a marker: it starts, after spaces, with the prefix.
    static func looksLikeMarker(_ line: [UInt8]) -> Bool {
        let start = line.firstIndex { $0 != UInt8(ascii: " ") } ?? line.endIndex
        return line[start...].starts(with: prefixBytes)
    }

    private static let prefixBytes = Array(prefix.utf8)

    /// The marker `line` is, or `nil` when it is not a well-formed one.
    static func marker(_ line: [UInt8]) -> Marker? {
        let words = String(decoding: line, as: UTF8.self).split(separator: " ")
        guard words.count >= 4, words[0] == "<!--", words.last == "-->" else { return nil }
        let name = String(words[2])
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
            return nil
        }
        switch (words[1], words.count) {
        case ("runbook:begin", 4): return .begin(name)
        case ("runbook:end", 4): return .end(name, hash: nil)
        case ("runbook:end", 5) where words[3].hasPrefix("sha256:"):
            return .end(name, hash: String(words[3].dropFirst("sha256:".count)))
        default: return nil
        }
    }

    /// Hashes a block's lines as `BlockSealer` and `PostmortemDocument` both read them.
    struct Hasher {
        private var sha = SHA256()

        /// Takes one line, without its line ending (a CR before the LF is not part of it).
        mutating func add(line: [UInt8]) {
            sha.update(data: line)
            sha.update(data: [UInt8(ascii: "\n")])
        }

        /// Takes whole lines at once, each with its LF; a line that ends with CR LF falls back to `add(line:)`.
        mutating func add(lines: Slice<UnsafeRawBufferPointer>) {
            guard ByteSearch.firstIndex(of: 13, in: lines.base, from: lines.startIndex, to: lines.endIndex) != nil
            else {
                return sha.update(bufferPointer: UnsafeRawBufferPointer(rebasing: lines))
            }
            var start = lines.startIndex
            while let end = lines[start...].firstIndex(of: 10) {
                var line = Array(lines[start..<end])
                if line.last == 13 { line.removeLast() }
                add(line: line)
                start = end + 1
            }
        }

        /// The first 16 hex digits of the digest.
        func hex() -> String {
            sha.finalize().prefix(8).map { String(format: "%02x", $0) }.joined()
        }
    }
}

/// Streams the Markdown export on to its destination, line by line: seals each block (adds the content's hash to
/// its end marker) and, for `export --update`, replaces every stretch outside the blocks with the author's, from
/// the file being updated, written in that file's line endings.
final class BlockSealer {
    private let target: ExportSink
    private let merging: PostmortemDocument?
    private var line: [UInt8] = []
    private var out: [UInt8] = []
    private var block: String?
    /// The unsealed end marker of `block`, which alone ends it.
    private var blockEnd: [UInt8] = []
    private var hasher = GeneratedBlock.Hasher()
    private var blocksSeen = 0
    private let newline: [UInt8]

    /// A sealer writing to `target`; with `merging`, the author's parts come from that document.
    init(target: ExportSink, merging: PostmortemDocument? = nil) {
        self.target = target
        self.merging = merging
        newline = merging?.usesCRLF == true ? [13, 10] : [10]
    }

    /// A sink the exporter writes to.
    var sink: ExportSink {
        ExportSink(name: target.name) { [self] bytes in try take(bytes) }
    }

    /// Takes bytes of the document as the exporter writes them. Lines that cannot be a marker (they do not start with
    /// `<`) pass through in runs, hashed and written as they are; the others, a line carried over from the last
    /// write, and every line of a CRLF update go through `endLine`.
    func take(_ bytes: UnsafeRawBufferPointer) throws {
        var start = bytes.startIndex
        if !line.isEmpty {
            guard let end = ByteSearch.firstIndex(of: 10, in: bytes, from: start) else {
                return line.append(contentsOf: bytes)
            }
            line.append(contentsOf: bytes[start..<end])
            try endLine()
            start = end + 1
        }
        var run = start
        while let end = ByteSearch.firstIndex(of: 10, in: bytes, from: start) {
            if newline.count > 1 || bytes[start] == UInt8(ascii: "<") {
                try pass(bytes[run..<start])
                line.append(contentsOf: bytes[start..<end])
                try endLine()
                run = end + 1
            }
            start = end + 1
        }
        try pass(bytes[run..<start])
        line.append(contentsOf: bytes[start...])
        if out.count >= ExportWriter.flushSize { try flush() }
    }

    /// Whole lines that are not markers: the block's text (hashed), the template's text outside the blocks (dropped
    /// when merging: the author's takes its place).
    private func pass(_ lines: Slice<UnsafeRawBufferPointer>) throws {
        guard !lines.isEmpty else { return }
        if block != nil {
            hasher.add(lines: lines)
        } else if merging != nil {
            return
        }
        try flush()
        try target.write(UnsafeRawBufferPointer(rebasing: lines))
    }

    /// Ends the document: the author's last part (when merging), then everything buffered.
    func finish() throws {
        if !line.isEmpty { try endLine() }
        if let block { throw ExportError.cannotWrite(path: target.name, reason: "block \(block) was not closed") }
        if let merging {
            guard blocksSeen == merging.blocks.count else {
                throw merging.conflict(
                    at: merging.blocks[blocksSeen].line, section: merging.blocks[blocksSeen].name,
                    "this export no longer writes this section")
            }
            out += merging.regions[blocksSeen]
        }
        try flush()
    }

    private func endLine() throws {
        defer { line.removeAll(keepingCapacity: true) }
        if line.last == 13 { line.removeLast() }
        let isMarker = (block == nil && GeneratedBlock.looksLikeMarker(line)) || isEnd
        switch isMarker ? GeneratedBlock.marker(line) : nil {
        case .begin(let name)?:
            if let merging {
                guard blocksSeen < merging.blocks.count, merging.blocks[blocksSeen].name == name else {
                    let found = blocksSeen < merging.blocks.count ? merging.blocks[blocksSeen] : nil
                    throw merging.conflict(
                        at: found?.line ?? merging.lineCount, section: name,
                        found.map { "expected here, found section \($0.name) instead" } ?? "missing from the file")
                }
                out += merging.regions[blocksSeen]
            }
            blocksSeen += 1
            block = name
            blockEnd = Array(GeneratedBlock.end(name).utf8)
            hasher = GeneratedBlock.Hasher()
            emit(line)
        case .end(let name, _)?:
            emit(Array(GeneratedBlock.sealedEnd(name, hash: hasher.hex()).utf8))
            block = nil
        case nil:
            if block != nil {
                hasher.add(line: line)
                emit(line)
            } else if merging == nil {
                emit(line)
            }
        }
    }

    /// Whether the line is the end marker of the open block (inside a block, only that ends it).
    private var isEnd: Bool {
        block != nil && line.count == blockEnd.count && line.first == UInt8(ascii: "<") && line == blockEnd
    }

    private func emit(_ text: [UInt8]) {
        out += text
        out += newline
    }

    private func flush() throws {
        guard !out.isEmpty else { return }
        try out.withUnsafeBytes { try target.write($0) }
        out.removeAll(keepingCapacity: true)
    }
}
