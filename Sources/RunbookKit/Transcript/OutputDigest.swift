import Crypto
import Foundation

/// The SHA-256 that binds one command's stored output into the hash chain: `TranscriptOutputWriter` computes it
/// over the chunks it commits and the session records it in `command.finished` (`output_sha256`, with
/// `output_chunks`); `verify` recomputes it from the `outputs` rows.
///
/// Each chunk adds its index, its offset in milliseconds and its length (each 8 bytes, big-endian), then its
/// bytes (as the transcript shows them: redacted, limited, inflated). Lengths make the encoding unambiguous, so
/// no two different sequences of chunks hash alike.
public struct OutputDigest {
    /// The `command.finished` payload key of the digest.
    public static let payloadKey = "output_sha256"
    /// The `command.finished` payload key of the number of chunks digested.
    public static let chunksKey = "output_chunks"

    private var hasher = SHA256()
    /// Chunks added.
    public private(set) var chunks = 0

    /// An empty digest (the digest of a command without output).
    public init() {}

    /// Adds the chunk stored at `index`.
    public mutating func add(index: Int64, offsetMilliseconds: Int64, bytes: Data) {
        var header = Data(capacity: 24)
        for value in [UInt64(bitPattern: index), UInt64(bitPattern: offsetMilliseconds), UInt64(bytes.count)] {
            withUnsafeBytes(of: value.bigEndian) { header.append(contentsOf: $0) }
        }
        hasher.update(data: header)
        hasher.update(data: bytes)
        chunks += 1
    }

    /// The digest so far, as 64 lowercase hex digits.
    public var hex: String {
        hasher.finalize().map { byte in
            let digits = String(byte, radix: 16)
            return byte < 16 ? "0" + digits : digits
        }.joined()
    }
}
