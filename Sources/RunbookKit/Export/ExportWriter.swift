import Foundation

/// The bytes of an export as they are produced, handed to an `ExportSink` whenever `flushIfFull` finds more than
/// `ExportWriter.flushSize` of them; without a sink they stay in `bytes` (a section written ahead of its place).
///
/// It also writes `JSONValue`s with sorted keys and two-space indentation, strings and numbers as the canonical
/// encoding writes them (`JSONValue.appendString`), so the output is deterministic, which golden files need.
struct ExportWriter {
    /// Bytes not yet handed to the sink.
    private(set) var bytes: [UInt8] = []
    /// Where full buffers go; `nil` keeps them in `kept`.
    let sink: ExportSink?
    /// Full buffers of a writer without a sink, in order (kept whole: growing one array would copy it each time
    /// it doubles).
    private var kept: [[UInt8]] = []

    /// Buffered bytes beyond which `flushIfFull` writes them out.
    static let flushSize = 1 << 18

    /// A writer that hands its bytes to `sink`, or keeps them when `sink` is `nil`.
    init(sink: ExportSink? = nil) {
        self.sink = sink
        if sink != nil { bytes.reserveCapacity(Self.flushSize + Self.flushSize / 4) }
    }

    /// Writes the buffer to the sink when it holds more than `flushSize` bytes; without a sink, sets it aside and
    /// starts a new one.
    mutating func flushIfFull() throws {
        guard bytes.count >= Self.flushSize else { return }
        if sink != nil { return try flush() }
        kept.append(bytes)
        bytes = []
        bytes.reserveCapacity(Self.flushSize + Self.flushSize / 4)
    }

    /// Writes whatever is buffered to the sink (nothing without a sink).
    mutating func flush() throws {
        guard let sink, !bytes.isEmpty else { return }
        try bytes.withUnsafeBytes { try sink.write($0) }
        bytes.removeAll(keepingCapacity: true)
    }

    /// Appends the bytes another writer kept (a section written ahead of its place), flushing as they go.
    mutating func append(_ section: ExportWriter) throws {
        try flush()
        for part in section.kept + [section.bytes] {
            if let sink {
                try part.withUnsafeBytes { try sink.write($0) }
            } else {
                bytes.append(contentsOf: part)
            }
        }
    }

    /// Appends `value`, indented as if it started at `depth`.
    mutating func write(_ value: JSONValue, depth: Int = 0) {
        switch value {
        case .array(let items):
            if items.isEmpty { return raw("[]") }
            for (index, item) in items.enumerated() {
                element(index: index, depth: depth)
                write(item, depth: depth + 1)
            }
            endArray(count: items.count, depth: depth)
        case .object(let members):
            if members.isEmpty { return raw("{}") }
            for (index, key) in members.keys.sorted().enumerated() {
                bytes.append(index == 0 ? UInt8(ascii: "{") : UInt8(ascii: ","))
                newline(depth + 1)
                writeString(key)
                raw(": ")
                write(members[key]!, depth: depth + 1)
            }
            endObject(depth: depth)
        default:
            value.appendScalar(to: &bytes)
        }
    }

    /// Starts member `index` (0 for the first) of an object that starts at `depth`: the opening brace or the
    /// comma, the indentation and the key. Callers give members in sorted key order, as `write` sorts them.
    mutating func member(_ key: StaticString, index: Int, depth: Int) {
        bytes.append(index == 0 ? UInt8(ascii: "{") : UInt8(ascii: ","))
        newline(depth + 1)
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
        bytes.append(contentsOf: "\": ".utf8)
    }

    /// `member` for a key known only at run time.
    mutating func member(named key: String, index: Int, depth: Int) {
        bytes.append(index == 0 ? UInt8(ascii: "{") : UInt8(ascii: ","))
        newline(depth + 1)
        writeString(key)
        raw(": ")
    }

    /// Appends `text` escaped as the inside of a JSON string (its quotes written apart).
    mutating func writeStringContent(_ text: String) {
        JSONValue.appendStringContent(text, to: &bytes)
    }

    /// Ends an object begun with `member` at `depth`.
    mutating func endObject(depth: Int) {
        newline(depth)
        bytes.append(UInt8(ascii: "}"))
    }

    /// Starts element `index` of an array that starts at `depth`.
    mutating func element(index: Int, depth: Int) {
        bytes.append(index == 0 ? UInt8(ascii: "[") : UInt8(ascii: ","))
        newline(depth + 1)
    }

    /// Ends an array begun with `element` at `depth` (`[]` when it had no elements).
    mutating func endArray(count: Int, depth: Int) {
        if count == 0 { return raw("[]") }
        newline(depth)
        bytes.append(UInt8(ascii: "]"))
    }

    /// Appends bytes that are already JSON (or the separators between asciicast fields).
    mutating func raw(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    /// Appends bytes that are already JSON.
    mutating func raw(_ data: [UInt8]) {
        bytes.append(contentsOf: data)
    }

    /// Appends `MarkdownText.tableCell(text)`.
    mutating func markdownCell(_ text: String) {
        MarkdownText.appendTableCell(text, to: &bytes)
    }

    /// Appends `MarkdownText.tableCell(ExportFormatting.utc(date))`, which for four-digit years is the time itself.
    mutating func markdownTimeCell(_ date: Date) {
        let start = bytes.count
        ExportFormatting.appendUTC(date, to: &bytes)
        if bytes.count - start != 20 || !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[start]) {
            bytes.removeSubrange(start...)
            markdownCell(ExportFormatting.utc(date))
        }
    }

    /// Appends `ExportFormatting.fixed(value, decimals: decimals)`.
    mutating func fixed(_ value: Double, decimals: Int32) {
        ExportFormatting.appendFixed(value, decimals: decimals, to: &bytes)
    }

    /// Appends `ExportFormatting.utc(date)`.
    mutating func utc(_ date: Date) {
        ExportFormatting.appendUTC(date, to: &bytes)
    }

    /// Appends `ExportFormatting.iso8601(date)` as a JSON string (it never needs an escape).
    mutating func writeISO8601(_ date: Date) {
        bytes.append(UInt8(ascii: "\""))
        ExportFormatting.appendISO8601(date, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends `MarkdownText.paragraph(text, indent: indent)`.
    mutating func markdownParagraph(_ text: String, indent: Int) {
        MarkdownText.appendParagraph(text, indent: indent, to: &bytes)
    }

    private mutating func newline(_ depth: Int) {
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: depth * 2))
    }

    /// Appends `text` as a JSON string.
    mutating func writeString(_ text: String) {
        JSONValue.appendString(text, to: &bytes)
    }

    /// `value` as single-line JSON, for asciicast lines.
    static func compact(_ value: JSONValue) -> [UInt8] {
        var writer = ExportWriter()
        writer.writeCompact(value)
        return writer.bytes
    }

    private mutating func writeCompact(_ value: JSONValue) {
        switch value {
        case .array(let items):
            bytes.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { raw(", ") }
                writeCompact(item)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            bytes.append(UInt8(ascii: "{"))
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { raw(", ") }
                writeString(key)
                raw(": ")
                writeCompact(members[key]!)
            }
            bytes.append(UInt8(ascii: "}"))
        default:
            write(value)
        }
    }
}
