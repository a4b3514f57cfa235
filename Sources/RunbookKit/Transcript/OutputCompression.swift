import CZlib
import Foundation

/// How output chunks are stored: raw bytes, or deflated with zlib (level 1: fast, and command output is
/// repetitive enough that even level 1 shrinks `kubectl logs` several times and `yes` a thousandfold).
///
/// Compression keeps recording ahead of the program: SQLite writes every byte twice (WAL, then checkpoint)
/// with fsync, so bytes not written are the cheapest.
enum OutputCompression {
    /// Chunks smaller than this stay raw: interactive output arrives in small pieces that do not shrink.
    static let threshold = 1024

    /// The stored form of `data`: `("deflate", bytes)` when that is smaller, else `("raw", data)`.
    static func encode(_ data: Data) -> (encoding: String, bytes: Data) {
        guard data.count >= threshold else { return ("raw", data) }
        var capacity = compressBound(uLong(data.count))
        // Not zero-filled and copied out at its compressed size: a batch of megabytes that deflates to
        // kilobytes does not make megabytes resident on the way.
        let scratch = UnsafeMutablePointer<Bytef>.allocate(capacity: Int(capacity))
        defer { scratch.deallocate() }
        let status = data.withUnsafeBytes { source in
            compress2(scratch, &capacity, source.bindMemory(to: Bytef.self).baseAddress, uLong(data.count), 1)
        }
        guard status == Z_OK, Int(capacity) < data.count else { return ("raw", data) }
        return ("deflate", Data(bytes: scratch, count: Int(capacity)))
    }

    /// The original bytes of a stored chunk. A chunk that does not inflate is returned as stored, so a damaged
    /// row shows as garbage in one command's output instead of hiding the rest of the transcript.
    static func decode(_ bytes: Data, encoding: String, size: Int) -> Data {
        guard encoding == "deflate", size > 0 else { return bytes }
        var length = uLongf(size)
        var output = Data(count: size)
        let status = output.withUnsafeMutableBytes { destination in
            bytes.withUnsafeBytes { source in
                uncompress(
                    destination.bindMemory(to: Bytef.self).baseAddress, &length,
                    source.bindMemory(to: Bytef.self).baseAddress, uLong(bytes.count))
            }
        }
        guard status == Z_OK else { return bytes }
        output.count = Int(length)
        return output
    }
}
