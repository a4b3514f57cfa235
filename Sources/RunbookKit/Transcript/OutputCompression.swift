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

    /// zlib never deflates by more than about 1032 to 1: a `size` beyond this many times the stored bytes is a
    /// forged value, refused before anything is allocated for it.
    static let maximumRatio = 1100

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

    /// Why a stored chunk cannot be read back: its row was changed after it was written.
    struct Damage: Error, Equatable {
        var detail: String
    }

    /// The original bytes of a stored chunk, checked against its `size` column.
    ///
    /// Every value comes from a file an attacker may have edited, so each is checked before it is used: a
    /// negative or impossible `size`, an unknown encoding, data that does not inflate, or inflates to another
    /// length than `size` throw `Damage` (the reader names the row); nothing here can trap or allocate more
    /// than `maximumRatio` times the stored bytes. `size` is 0 on raw rows written before the column existed.
    static func decode(_ bytes: Data, encoding: String, size: Int64) throws -> Data {
        switch encoding {
        case "raw":
            guard size == 0 || size == Int64(bytes.count) else {
                throw Damage(detail: "size is \(size) but the raw data holds \(bytes.count) bytes")
            }
            return bytes
        case "deflate":
            guard size > 0, size <= Int64(max(bytes.count, 1)) * Int64(maximumRatio) else {
                throw Damage(detail: "size \(size) is impossible for \(bytes.count) deflated bytes")
            }
            var length = uLongf(size)
            var output = Data(count: Int(size))
            let status = output.withUnsafeMutableBytes { destination in
                bytes.withUnsafeBytes { source in
                    uncompress(
                        destination.bindMemory(to: Bytef.self).baseAddress, &length,
                        source.bindMemory(to: Bytef.self).baseAddress, uLong(bytes.count))
                }
            }
            guard status == Z_OK else {
                throw Damage(detail: "the deflated data does not inflate to \(size) bytes (zlib status \(status))")
            }
            guard Int64(length) == size else {
                throw Damage(detail: "size is \(size) but the data inflates to \(length) bytes")
            }
            return output
        default:
            throw Damage(detail: "unknown encoding \(encoding.debugDescription)")
        }
    }
}
