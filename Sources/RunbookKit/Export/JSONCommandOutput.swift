import Foundation

/// A command's `output` member in the JSON export, written as its chunks are read from the transcript (twice: to
/// learn its size, chunks and whether it is UTF-8, then to write `base64` and `text`), never held whole.
struct JSONCommandOutput {
    /// The incident clock's speed, by which chunk offsets (real seconds) are scaled.
    let clockSpeed: Double

    /// Writes `{"base64"?: …, "bytes": …, "chunks": […], "text": …, "valid_utf8": …}` at `depth`.
    func write(
        _ command: CommandRecord, from transcript: IncidentTranscript, to writer: inout ExportWriter, depth: Int
    ) throws {
        var bytes = 0
        var chunks: [JSONValue] = []
        var check = UTF8Check()
        try transcript.forEachOutputChunk(ofCommand: command.sequence) { chunk in
            bytes += chunk.data.count
            check.add(chunk.data)
            chunks.append([
                "offset": .double((chunk.offset * clockSpeed * 1000).rounded() / 1000),
                "bytes": .int(Int64(chunk.data.count)),
            ])
        }
        let valid = check.finish()
        var index = 0
        if !valid {
            writer.member("base64", index: index, depth: depth)
            try writeBase64(command, from: transcript, to: &writer)
            index += 1
        }
        writer.member("bytes", index: index, depth: depth)
        writer.write(.int(Int64(bytes)))
        writer.member("chunks", index: index + 1, depth: depth)
        writer.write(.array(chunks), depth: depth + 1)
        writer.member("text", index: index + 2, depth: depth)
        try writeText(command, from: transcript, to: &writer)
        writer.member("valid_utf8", index: index + 3, depth: depth)
        writer.write(.bool(valid))
        writer.endObject(depth: depth)
    }

    /// The output decoded as UTF-8 (invalid bytes as U+FFFD), as one JSON string.
    private func writeText(_ command: CommandRecord, from transcript: IncidentTranscript, to writer: inout ExportWriter)
        throws
    {
        writer.raw("\"")
        var carry: [UInt8] = []
        try transcript.forEachOutputChunk(ofCommand: command.sequence) { chunk in
            var bytes = carry
            bytes.append(contentsOf: chunk.data)
            let complete = OutputDecoder.completePrefixLength(bytes)
            writer.writeStringContent(String(decoding: bytes[..<complete], as: UTF8.self))
            carry = Array(bytes[complete...])
            try writer.flushIfFull()
        }
        if !carry.isEmpty { writer.writeStringContent(String(decoding: carry, as: UTF8.self)) }
        writer.raw("\"")
    }

    /// The exact bytes in base64, as one JSON string (its alphabet needs no escape).
    private func writeBase64(
        _ command: CommandRecord, from transcript: IncidentTranscript, to writer: inout ExportWriter
    ) throws {
        writer.raw("\"")
        var carry = Data()
        try transcript.forEachOutputChunk(ofCommand: command.sequence) { chunk in
            carry.append(chunk.data)
            let whole = carry.count - carry.count % 3
            writer.raw(carry.prefix(whole).base64EncodedString())
            carry = Data(carry.dropFirst(whole))
            try writer.flushIfFull()
        }
        writer.raw(carry.base64EncodedString())
        writer.raw("\"")
    }
}
