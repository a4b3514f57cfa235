import Foundation

/// Escapes text for an HTML document: the one escaper of the HTML report.
///
/// Everything the transcript holds (titles, notes, commands, output, actors) is escaped for the place it goes:
/// element content and quoted attribute values take `&`, `<`, `>`, `"` and `'` as character references, and text
/// inside a `<script>` data block (the replay's recording) has every `<` written as the JSON escape `\u003c`, so no
/// `</script>` or `<!--` in a command's output can end the block. Control characters other than tab and newline are
/// dropped (HTML forbids most of them), and bytes that are not UTF-8 were already replaced when decoded.
enum HTMLText {
    /// `text` escaped for element content or a quoted attribute value.
    static func escaped(_ text: String) -> String {
        var bytes: [UInt8] = []
        append(text, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `text` escaped for element content or a quoted attribute value.
    static func append(_ text: String, to bytes: inout [UInt8]) {
        var text = text
        text.withUTF8 { append(UnsafeRawBufferPointer($0), to: &bytes) }
    }

    /// Appends UTF-8 `input` escaped for element content or a quoted attribute value.
    static func append(_ input: UnsafeRawBufferPointer, to bytes: inout [UInt8]) {
        bytes.reserveCapacity(bytes.count + input.count)
        for byte in input {
            switch byte {
            case UInt8(ascii: "&"): bytes.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "<"): bytes.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: ">"): bytes.append(contentsOf: "&gt;".utf8)
            case UInt8(ascii: "\""): bytes.append(contentsOf: "&quot;".utf8)
            case UInt8(ascii: "'"): bytes.append(contentsOf: "&#39;".utf8)
            case 0x09, 0x0A: bytes.append(byte)
            case 0x00..<0x20, 0x7F: break
            default: bytes.append(byte)
            }
        }
    }

    /// Appends JSON text (the asciicast lines) for a `<script type="application/…">` data block: every `<` becomes
    /// `\u003c`. JSON has `<` only inside strings, where the escape reads back as the same character.
    static func appendScriptData(_ input: UnsafeRawBufferPointer, to bytes: inout [UInt8]) {
        guard let base = input.baseAddress, !input.isEmpty else { return }
        bytes.reserveCapacity(bytes.count + input.count)
        // The recording is megabytes with few `<`: copy the runs between them whole.
        var start = 0
        while start < input.count {
            guard let found = memchr(base + start, Int32(UInt8(ascii: "<")), input.count - start) else {
                bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[start...]))
                return
            }
            let index = base.distance(to: UnsafeRawPointer(found))
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[start..<index]))
            bytes.append(contentsOf: "\\u003c".utf8)
            start = index + 1
        }
    }
}
