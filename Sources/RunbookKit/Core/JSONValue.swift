import Foundation

/// A JSON value, used for event payloads so that each event type can carry its own fields.
///
/// Read with `init(parsing:)` and written with `canonicalString`; `Encodable` so that types holding one can be
/// encoded for the command line's JSON output.
public enum JSONValue: Sendable, Hashable, Encodable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The string, when this is a string.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The integer, when this is a whole number.
    public var intValue: Int64? {
        switch self {
        case .int(let value): return value
        case .double(let value) where value.rounded() == value: return Int64(value)
        default: return nil
        }
    }

    /// The number, when this is a number.
    public var doubleValue: Double? {
        switch self {
        case .int(let value): return Double(value)
        case .double(let value): return value
        default: return nil
        }
    }

    /// The elements, when this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The boolean, when this is a boolean.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// Member lookup on objects; `nil` for other values or missing keys.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// Canonical encoding: keys sorted, no insignificant whitespace. Used for stored payloads (which the hash
    /// chain covers as stored), request bodies and golden files.
    public func canonicalData() -> Data {
        var bytes: [UInt8] = []
        appendCanonical(to: &bytes)
        return Data(bytes)
    }

    /// The canonical encoding as a string.
    public var canonicalString: String {
        var bytes: [UInt8] = []
        appendCanonical(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    private func appendCanonical(to bytes: inout [UInt8]) {
        switch self {
        case .array(let items):
            bytes.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                item.appendCanonical(to: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            bytes.append(UInt8(ascii: "{"))
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                Self.appendString(key, to: &bytes)
                bytes.append(UInt8(ascii: ":"))
                members[key]!.appendCanonical(to: &bytes)
            }
            bytes.append(UInt8(ascii: "}"))
        default:
            appendScalar(to: &bytes)
        }
    }

    /// Appends a value that is neither an array nor an object (those do nothing here).
    func appendScalar(to bytes: inout [UInt8]) {
        switch self {
        case .null: bytes.append(contentsOf: "null".utf8)
        case .bool(let flag): bytes.append(contentsOf: (flag ? "true" : "false").utf8)
        case .int(let number): bytes.append(contentsOf: String(number).utf8)
        case .double(let number):
            // As `JSONEncoder` wrote numbers: the shortest text that reads back, without a trailing `.0`.
            guard number.isFinite else { return bytes.append(contentsOf: "null".utf8) }
            let text = number.description
            bytes.append(contentsOf: (text.hasSuffix(".0") ? text.dropLast(2) : Substring(text)).utf8)
        case .string(let text): Self.appendString(text, to: &bytes)
        case .array, .object: return
        }
    }

    /// Appends `text` as a JSON string: `"` and `\` escaped, control characters as `\b \f \n \r \t` or
    /// `\u00xx`, everything else as literal UTF-8 (as `JSONEncoder` wrote strings, so events stored by earlier
    /// versions hash the same). The one JSON string escaper: payloads, the hash chain and every export use it.
    static func appendString(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        appendStringContent(text, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends `text` escaped as the inside of a JSON string, without the quotes (a string written in pieces).
    static func appendStringContent(_ text: String, to bytes: inout [UInt8]) {
        var text = text
        text.withUTF8 { utf8 in
            // Runs that need no escape (usually the whole string) are copied whole.
            var runStart = 0
            var index = firstEscape(in: utf8, from: 0)
            while index < utf8.count {
                let byte = utf8[index]
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                runStart = index + 1
                switch byte {
                case 0x08: bytes.append(contentsOf: "\\b".utf8)
                case 0x09: bytes.append(contentsOf: "\\t".utf8)
                case 0x0A: bytes.append(contentsOf: "\\n".utf8)
                case 0x0C: bytes.append(contentsOf: "\\f".utf8)
                case 0x0D: bytes.append(contentsOf: "\\r".utf8)
                case 0..<0x20:
                    let hex = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: "\\u00".utf8)
                    bytes.append(contentsOf: [hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
                default: bytes.append(contentsOf: [UInt8(ascii: "\\"), byte])
                }
                index = firstEscape(in: utf8, from: runStart)
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
    }

    /// Index of the first byte at or after `start` that a JSON string cannot hold as it is (a control character,
    /// `"` or `\`), or `utf8.count`. Eight bytes at a time while none is found: exports escape every string of every
    /// event, and a word with such a byte is always caught by the bit tests (they can flag a clean word too; the byte
    /// loop then decides).
    private static func firstEscape(in utf8: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var index = start
        if let base = utf8.baseAddress {
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highs: UInt64 = 0x8080_8080_8080_8080
            func hasZeroByte(_ word: UInt64) -> Bool { (word &- ones) & ~word & highs != 0 }
            while index + 8 <= utf8.count {
                let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
                let control = (word &- ones &* 0x20) & ~word & highs != 0  // a byte below 0x20
                if control || hasZeroByte(word ^ (ones &* 0x22)) || hasZeroByte(word ^ (ones &* 0x5C)) { break }
                index += 8
            }
        }
        while index < utf8.count {
            let byte = utf8[index]
            if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return index }
            index += 1
        }
        return utf8.count
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByDictionaryLiteral, ExpressibleByArrayLiteral, ExpressibleByNilLiteral, ExpressibleByFloatLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(nilLiteral: ()) { self = .null }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
