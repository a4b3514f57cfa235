import Foundation

/// Turns a runbook file into a `Runbook`: front matter with Yams, the body with cmark-gfm.
///
/// `parse` is for running runbooks and refuses a file with errors in it; `parseWithDiagnostics` is for the
/// linter and returns what it could read together with every problem found.
public enum RunbookParser {
    /// Files larger than this are refused before parsing: no runbook is this big, and a mistaken path
    /// (a log file, a database) should fail fast with a clear message.
    public static let maximumFileSize = 16 * 1024 * 1024

    /// The deepest the Markdown tree may nest (block quotes, list items, emphasis each add a level). The runbook
    /// model is built by walking the tree recursively, so a deeper document is refused before that walk: 100 KB of
    /// `>` would otherwise overflow the stack. Real runbooks stay under 15.
    public static let maximumNesting = 64

    /// Parses a runbook; throws `RunbookParseError` for unreadable input or any error-level problem.
    public static func parse(data: Data, path: String) throws -> Runbook {
        let (runbook, diagnostics) = try parseWithDiagnostics(data: data, path: path)
        if diagnostics.contains(where: { $0.severity == .error }) {
            throw RunbookParseError(diagnostics: diagnostics)
        }
        return runbook
    }

    /// Reads and parses the file at `path`.
    public static func parse(contentsOf path: String) throws -> Runbook {
        try parse(data: readFile(path), path: path)
    }

    /// Parses a runbook and returns it with the problems found while reading it (the linter adds its own).
    ///
    /// Throws only when the input is not a runbook at all: binary, not UTF-8, or too large.
    public static func parseWithDiagnostics(data: Data, path: String) throws -> (
        runbook: Runbook, diagnostics: [Diagnostic]
    ) {
        let text = try decode(data, path: path)
        return parseWithDiagnostics(text: text, path: path)
    }

    /// Parses runbook text that is already known to be valid UTF-8.
    public static func parseWithDiagnostics(text: String, path: String) -> (
        runbook: Runbook, diagnostics: [Diagnostic]
    ) {
        var diagnostics: [Diagnostic] = []
        var full = Substring(withLineFeeds(text))
        if full.hasPrefix("\u{FEFF}") { full = full.dropFirst() }
        var frontMatter = FrontMatter()
        var body = full
        var lineOffset = 0
        if let split = FrontMatter.split(full) {
            if split.closed {
                let (parsed, problems) = FrontMatter.parse(yaml: split.yaml, firstLine: 2, path: path)
                frontMatter = parsed
                diagnostics += problems
                body = split.body
                lineOffset = split.bodyLineOffset
            } else {
                diagnostics.append(
                    .error(
                        "front matter starts with `---` but is never closed", at: SourceLocation(file: path, line: 1),
                        hint: "end the front matter with a line containing only `---`"))
            }
        }
        var builder = RunbookBuilder(path: path, lineOffset: lineOffset, body: body, frontMatter: frontMatter)
        // Thousands of list or quote markers opened on one line make cmark-gfm itself quadratic (about 3 s for
        // 47,000 `- `): such a line is refused before cmark sees it, with the nesting error the builder gives.
        if let deepLine = Self.lineOpeningTooManyContainers(body.utf8, limit: Self.maximumNesting) {
            diagnostics.append(RunbookBuilder.tooDeep(at: SourceLocation(file: path, line: lineOffset + deepLine)))
            return (builder.finish(), diagnostics)
        }
        builder.build(from: MarkdownDocument(text: String(body)))
        let runbook = builder.finish()
        diagnostics += builder.diagnostics
        return (runbook, diagnostics)
    }

    /// `text` with CommonMark's other line endings (CR LF, and a CR alone) made LF, so a file saved on Windows
    /// parses exactly as its LF copy: front matter, commands, lines and columns. cmark-gfm already ends lines at
    /// a CR; doing it first means the front matter and every line number agree with it.
    static func withLineFeeds(_ text: String) -> String {
        var text = text
        // memchr over the contiguous UTF-8: most files have no CR, and this is all they cost.
        let hasCR = text.withUTF8 { bytes in
            bytes.baseAddress.map { memchr($0, Int32(UInt8(ascii: "\r")), bytes.count) != nil } ?? false
        }
        guard hasCR else { return text }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var previous: UInt8 = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\r") {
                bytes.append(UInt8(ascii: "\n"))
            } else if !(byte == UInt8(ascii: "\n") && previous == UInt8(ascii: "\r")) {
                bytes.append(byte)
            }
            previous = byte
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Reads a file, turning every failure into a `RunbookParseError` that names the path.
    ///
    /// The file is refused by its `stat` before it is opened when it is not a regular file or is too large, and
    /// asked again once open, in case the path was replaced in between.
    public static func readFile(_ path: String) throws -> Data {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw RunbookParseError(summary: "no such file: \(path)", hint: "check the path")
        }
        try checkStatus(status, path: path)
        let unreadable = RunbookParseError(summary: "cannot read \(path)", hint: "check the file's permissions")
        // O_NONBLOCK: should the path have become a FIFO since `stat`, opening it must not wait for a writer.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { throw unreadable }
        let file = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        guard fstat(descriptor, &status) == 0 else { throw unreadable }
        try checkStatus(status, path: path)
        // One byte past the limit is enough for `decode` to refuse a file that grew after `stat`.
        do {
            // nil at the end of the file: an empty file.
            return try file.read(upToCount: maximumFileSize + 1) ?? Data()
        } catch {
            throw unreadable
        }
    }

    private static func tooLarge(path: String, size: Int) -> RunbookParseError {
        RunbookParseError(
            summary: "\(path) is \(size / 1_048_576) MB; runbooks are limited to \(maximumFileSize / 1_048_576) MB",
            location: SourceLocation(file: path, line: 1),
            hint: "is this really a runbook? Split very large runbooks into several files")
    }

    /// Validates and decodes the bytes: refuses binary files and invalid UTF-8 with the place of the problem.
    public static func decode(_ data: Data, path: String) throws -> String {
        if data.count > maximumFileSize { throw tooLarge(path: path, size: data.count) }
        return try data.withUnsafeBytes { raw -> String in
            let bytes = raw.bindMemory(to: UInt8.self)
            if let zero = bytes.firstIndex(of: 0) {
                throw RunbookParseError(
                    summary: "\(path) looks like a binary file, not Markdown (NUL byte)",
                    location: position(of: zero, in: bytes, path: path),
                    hint: "runbooks are UTF-8 Markdown text files")
            }
            if let text = String(validating: bytes, as: UTF8.self) { return text }
            let bad = firstInvalidUTF8Offset(bytes)
            throw RunbookParseError(
                summary: "\(path) is not valid UTF-8", location: position(of: bad, in: bytes, path: path),
                hint: "save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)")
        }
    }

    /// The refusals of a file by its `stat`, before anything is read: a directory, anything else that is not a
    /// regular file (a FIFO would block the first `read` forever, `/dev/zero` never ends), or a regular file over
    /// the size limit.
    private static func checkStatus(_ status: stat, path: String) throws {
        switch status.st_mode & S_IFMT {
        case S_IFDIR:
            throw RunbookParseError(summary: "\(path) is a directory, not a runbook file")
        case S_IFREG:
            if Int(status.st_size) > maximumFileSize { throw tooLarge(path: path, size: Int(status.st_size)) }
        default:
            let kind = SkippedFile.kind(of: status.st_mode)
            throw RunbookParseError(
                summary: "\(path) is \(kind), not a regular file", location: SourceLocation(file: path, line: 1),
                hint: "runbooks are regular Markdown files; give the path of one")
        }
    }

    private static func position(of offset: Int, in bytes: UnsafeBufferPointer<UInt8>, path: String) -> SourceLocation {
        var line = 1
        var lineStart = 0
        for index in 0..<min(offset, bytes.count) where bytes[index] == UInt8(ascii: "\n") {
            line += 1
            lineStart = index + 1
        }
        return SourceLocation(file: path, line: line, column: offset - lineStart + 1)
    }

    private static func firstInvalidUTF8Offset(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            let length: Int
            switch byte {
            case 0x00...0x7F: length = 1
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: return index
            }
            guard index + length <= bytes.count else { return index }
            for continuation in 1..<length where bytes[index + continuation] & 0xC0 != 0x80 { return index }
            if let _ = String(validating: UnsafeBufferPointer(rebasing: bytes[index..<(index + length)]), as: UTF8.self)
            {
                index += length
            } else {
                return index
            }
        }
        return bytes.count
    }

    /// The first line (1-based) that opens more than `limit` block containers at its start (`>`, `-`, `*`, `+`,
    /// `1.` or `1)` followed by a blank), or `nil`.
    static func lineOpeningTooManyContainers(_ bytes: Substring.UTF8View, limit: Int) -> Int? {
        var line = 1
        var index = bytes.startIndex
        let end = bytes.endIndex
        func isBlank(_ i: Substring.UTF8View.Index) -> Bool {
            i < end && (bytes[i] == UInt8(ascii: " ") || bytes[i] == UInt8(ascii: "\t"))
        }
        while index < end {
            var count = 0
            var i = index
            scan: while i < end {
                while isBlank(i) { i = bytes.index(after: i) }
                guard i < end else { break }
                switch bytes[i] {
                case UInt8(ascii: ">"):
                    i = bytes.index(after: i)
                case UInt8(ascii: "-"), UInt8(ascii: "*"), UInt8(ascii: "+"):
                    let next = bytes.index(after: i)
                    guard next == end || isBlank(next) else { break scan }
                    i = next
                case UInt8(ascii: "0")...UInt8(ascii: "9"):
                    var j = i
                    var digits = 0
                    while j < end, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[j]), digits < 9 {
                        j = bytes.index(after: j)
                        digits += 1
                    }
                    guard j < end, bytes[j] == UInt8(ascii: ".") || bytes[j] == UInt8(ascii: ")") else { break scan }
                    let next = bytes.index(after: j)
                    guard next == end || isBlank(next) else { break scan }
                    i = next
                default:
                    break scan
                }
                count += 1
                if count > limit { return line }
            }
            // On to the next line.
            while i < end && bytes[i] != UInt8(ascii: "\n") { i = bytes.index(after: i) }
            if i < end { i = bytes.index(after: i) }
            index = i
            line += 1
        }
        return nil
    }
}
