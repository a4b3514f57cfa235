import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Finding a byte in raw memory with `memchr`, which reads many bytes at a time: a `Collection.firstIndex(of:)` on
/// an `UnsafeRawBufferPointer` reads one at a time, which the Markdown export's sealing paid for on every line of
/// its 20 MB (`BlockSealer`).
public enum ByteSearch {
    /// The index in `buffer` of the first `byte` at or after `start` and before `end` (the buffer's end when `nil`).
    @inline(__always)
    public static func firstIndex(
        of byte: UInt8, in buffer: UnsafeRawBufferPointer, from start: Int, to end: Int? = nil
    )
        -> Int?
    {
        let end = end ?? buffer.count
        guard start < end, let base = buffer.baseAddress else { return nil }
        return memchr(base + start, Int32(byte), end - start).map { base.distance(to: UnsafeRawPointer($0)) }
    }
}
