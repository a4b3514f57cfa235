import Foundation

/// The bytes of an export as they are produced, handed to an `ExportSink` whenever `flushIfFull` finds more than
/// `ExportWriter.flushSize` of them; without a sink they stay in `bytes` (a section written ahead of its place).
///
/// It also serialises `JSONValue`s with sorted keys and two-space indentation, straight into bytes: written by hand
/// because exports of large incidents spend most of their time here, and `JSONEncoder` is several times slower on
/// Linux; the output is deterministic, which golden files need.
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
        case .null: append("null")
        case .bool(let flag): append(flag ? "true" : "false")
        case .int(let number): append(String(number))
        case .double(let number):
            if number.isFinite {
                if number.rounded() == number, abs(number) < 1e15 {
                    append(String(Int64(number)))
                } else {
                    append(String(number))
                }
            } else {
                append("null")
            }
        case .string(let text): writeString(text)
        case .array(let items):
            if items.isEmpty { return append("[]") }
            bytes.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(depth + 1)
                write(item, depth: depth + 1)
            }
            newline(depth)
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            if members.isEmpty { return append("{}") }
            bytes.append(UInt8(ascii: "{"))
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(depth + 1)
                writeString(key)
                append(": ")
                write(members[key]!, depth: depth + 1)
            }
            newline(depth)
            bytes.append(UInt8(ascii: "}"))
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
        if count == 0 { return append("[]") }
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

    /// Reserves room for `count` more bytes.
    mutating func reserve(_ count: Int) {
        bytes.reserveCapacity(bytes.count + count)
    }

    private mutating func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    /// A newline and 32 spaces: indentation is a prefix of it (a literal, so no lazily made global is consulted).
    private static let indentation: StaticString = "\n                                "

    private mutating func newline(_ depth: Int) {
        let width = depth * 2
        if width < Self.indentation.utf8CodeUnitCount {
            bytes.append(contentsOf: UnsafeBufferPointer(start: Self.indentation.utf8Start, count: width + 1))
        } else {
            bytes.append(UInt8(ascii: "\n"))
            bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: width))
        }
    }

    mutating func writeString(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            // Runs of bytes that need no escape (usually the whole string) are copied whole.
            var runStart = 0
            var index = Self.firstEscape(in: utf8, from: 0)
            while index < utf8.count {
                if runStart < index { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index])) }
                let byte = utf8[index]
                bytes.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                default:
                    bytes.append(UInt8(ascii: "u"))
                    bytes.append(UInt8(ascii: "0"))
                    bytes.append(UInt8(ascii: "0"))
                    bytes.append(Self.hexDigit(byte >> 4))
                    bytes.append(Self.hexDigit(byte & 0x0F))
                }
                runStart = index + 1
                index = Self.firstEscape(in: utf8, from: runStart)
            }
            if runStart < utf8.count {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count]))
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Index of the first byte at or after `start` that a JSON string cannot hold as it is (a control character,
    /// DEL, `"` or `\\`), or `utf8.count`. Eight bytes at a time while none is found: a word with such a byte is
    /// always caught by the bit tests (they can flag a clean word too; the byte loop then decides).
    @inline(__always)
    static func firstEscape(in utf8: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var index = start
        if let base = utf8.baseAddress {
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highs: UInt64 = 0x8080_8080_8080_8080
            func hasZeroByte(_ word: UInt64) -> Bool { (word &- ones) & ~word & highs != 0 }
            while index + 8 <= utf8.count {
                let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
                let control = (word &- ones &* 0x20) & ~word & highs != 0  // a byte below 0x20
                if control || hasZeroByte(word ^ (ones &* 0x22)) || hasZeroByte(word ^ (ones &* 0x5C))
                    || hasZeroByte(word ^ (ones &* 0x7F))
                {
                    break
                }
                index += 8
            }
        }
        while index < utf8.count {
            let byte = utf8[index]
            if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == 0x7F { return index }
            index += 1
        }
        return utf8.count
    }

    @inline(__always)
    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }

    /// `value` as compact single-line JSON (no spaces), for asciicast lines.
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
                if index > 0 { append(", ") }
                writeCompact(item)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            bytes.append(UInt8(ascii: "{"))
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { append(", ") }
                writeString(key)
                append(": ")
                writeCompact(members[key]!)
            }
            bytes.append(UInt8(ascii: "}"))
        default:
            write(value)
        }
    }
}
