import Foundation

/// Serialises a `JSONValue` with sorted keys and two-space indentation, straight into bytes.
///
/// Written by hand because exports of large incidents spend most of their time here, and `JSONEncoder`
/// is several times slower on Linux; the output is deterministic, which golden files need.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []

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

    /// Reserves room for `count` more bytes.
    mutating func reserve(_ count: Int) {
        bytes.reserveCapacity(bytes.count + count)
    }

    private mutating func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    private mutating func newline(_ depth: Int) {
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: depth * 2))
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    mutating func writeString(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        // Most strings need no escape: scanned in their contiguous UTF-8 and copied whole.
        var text = text
        let copied = text.withUTF8 { utf8 -> Bool in
            for byte in utf8
            where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == 0x7F {
                return false
            }
            bytes.append(contentsOf: utf8)
            return true
        }
        if copied {
            bytes.append(UInt8(ascii: "\""))
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x00..<0x20, 0x7F:
                bytes.append(contentsOf: Array("\\u00".utf8))
                bytes.append(Self.hex[Int(byte >> 4)])
                bytes.append(Self.hex[Int(byte & 0x0F)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// `value` as compact single-line JSON (no spaces), for asciicast lines.
    static func compact(_ value: JSONValue) -> [UInt8] {
        var writer = JSONWriter()
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
