import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A Markdown postmortem on disk, as `export --update` reads it: the author's parts (everything outside the
/// generated blocks, byte for byte) and where each block is. Reading checks every block against the hash its end
/// marker holds, so a block an author edited, and markers missing, duplicated, unclosed or out of place, are
/// conflicts, found before anything is written. Only the author's parts are held, never the generated blocks.
struct PostmortemDocument {
    /// A generated block: its name and the line of its begin marker.
    struct Block: Equatable {
        var name: String
        var line: Int
    }

    /// The file, as named in messages.
    let path: String
    /// The author's parts: before the first block, between blocks, after the last (`blocks.count + 1` of them).
    private(set) var regions: [[UInt8]] = [[]]
    /// The blocks, in order.
    private(set) var blocks: [Block] = []
    /// Whether the file's first line ends with CR LF (an editor on Windows): the update is written the same way.
    private(set) var usesCRLF = false
    /// The incident its first line names.
    private(set) var incidentID: Int64?
    /// How many lines the file has.
    private(set) var lineCount = 0

    private let generatorMarker: String
    /// The block being read: its name and the line of its begin marker.
    private var openBlock: (name: String, line: Int)?
    private var hasher = GeneratedBlock.Hasher()
    /// The line of each block's begin marker, by name.
    private var seen: [String: Int] = [:]

    /// Reads the postmortem at `path`.
    /// - Throws: `ExportError.updateConflict` naming the section and line; `.symbolicLink`; `.cannotUpdate` when the
    ///   file is missing or unreadable, or is not a Markdown export.
    init(path: String, generatorMarker: String) throws {
        self.path = path
        self.generatorMarker = generatorMarker
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ELOOP { throw ExportError.symbolicLink(path: path) }
            throw ExportError.cannotUpdate(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var line: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var ended = false
        while !ended {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if count < 0 { throw ExportError.cannotUpdate(path: path, reason: String(cString: strerror(errno))) }
            if count == 0 {
                ended = true
                if !line.isEmpty { try take(line) }
                break
            }
            var start = 0
            while let end = buffer[start..<count].firstIndex(of: 10) {
                line += buffer[start...end]
                try take(line)
                line.removeAll(keepingCapacity: true)
                start = end + 1
            }
            line += buffer[start..<count]
        }
        if lineCount == 0 {
            throw ExportError.cannotUpdate(path: path, reason: "it is empty")
        }
        if let openBlock {
            throw conflict(at: openBlock.line, section: openBlock.name, "its end marker is missing")
        }
    }

    /// Takes one line of the file, with its line ending.
    private mutating func take(_ raw: [UInt8]) throws {
        lineCount += 1
        var text = raw
        if text.last == 10 { text.removeLast() }
        if text.last == 13 { text.removeLast() }
        if lineCount == 1 {
            usesCRLF = raw.suffix(2).elementsEqual([13, 10])
            let first = String(decoding: text, as: UTF8.self)
            guard first.hasPrefix(generatorMarker) else {
                throw ExportError.cannotUpdate(
                    path: path, reason: "its first line is not the Markdown export's marker (\(generatorMarker) …)")
            }
            incidentID = first.split(separator: " ").drop { $0 != "incident" }.dropFirst().first
                .flatMap { Int64($0.trimmingCharacters(in: CharacterSet(charactersIn: ";"))) }
        }
        if let current = openBlock {
            // Inside a block only its own end marker ends it; any other line is the block's text.
            if GeneratedBlock.looksLikeMarker(text), case .end(let name, let hash)? = GeneratedBlock.marker(text),
                name == current.name
            {
                guard let hash else {
                    throw conflict(
                        at: lineCount, section: name, "its end marker has no sha256: it was not written by an export")
                }
                guard hash == hasher.hex() else {
                    throw conflict(
                        at: current.line, section: name,
                        "edited by hand (lines \(current.line)–\(lineCount)): its text no longer matches the sha256 "
                            + "in its end marker")
                }
                openBlock = nil
                regions.append([])
            } else {
                hasher.add(line: text)
            }
            return
        }
        guard GeneratedBlock.looksLikeMarker(text) else {
            regions[regions.count - 1] += raw
            return
        }
        switch GeneratedBlock.marker(text) {
        case .begin(let name)?:
            if let earlier = seen[name] {
                throw conflict(
                    at: lineCount, section: name, "its begin marker appears twice (lines \(earlier) and \(lineCount))")
            }
            seen[name] = lineCount
            blocks.append(Block(name: name, line: lineCount))
            openBlock = (name, lineCount)
            hasher = GeneratedBlock.Hasher()
        case .end(let name, _)?:
            throw conflict(at: lineCount, section: name, "an end marker without its begin marker")
        case nil:
            throw conflict(
                at: lineCount, section: nil,
                "a runbook marker that cannot be read: \(String(decoding: text, as: UTF8.self))")
        }
    }

    /// A conflict at `line` of this file.
    func conflict(at line: Int, section: String?, _ reason: String) -> ExportError {
        .updateConflict(path: path, line: line, section: section, reason: reason)
    }

    /// Checks that the file holds exactly the blocks `expected`, in that order.
    /// - Throws: `ExportError.updateConflict` naming the first block missing, out of place or unknown.
    func check(expected: [String]) throws {
        for (index, name) in expected.enumerated() {
            guard index < blocks.count else {
                throw conflict(
                    at: lineCount, section: name,
                    "its markers are missing" + (index > 0 ? " (it comes after section \(expected[index - 1]))" : ""))
            }
            let found = blocks[index]
            guard found.name == name else {
                let elsewhere = blocks.first { $0.name == name }
                throw conflict(
                    at: found.line, section: name,
                    elsewhere.map {
                        "out of order: it is at line \($0.line), expected here, before section \(found.name)"
                    }
                        ?? "its markers are missing: expected here, before section \(found.name)")
            }
        }
        if blocks.count > expected.count {
            let extra = blocks[expected.count]
            throw conflict(at: extra.line, section: extra.name, "this export does not write a section of that name")
        }
    }
}
