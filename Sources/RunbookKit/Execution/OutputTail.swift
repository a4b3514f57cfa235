import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The most recent `capacity` bytes of a command's output, with the time offset of each chunk: a ring buffer
/// in an unlinked temporary file, so keeping the tail of a gigabyte of output does not keep it in memory.
///
/// The file is created 0600 and unlinked at once (it disappears with the process, also on a crash), and it
/// only ever holds output that was already redacted. When no file can be created or written (no writable
/// temporary directory, a full disk), the ring lives in memory instead: the same bytes, more RSS.
final class OutputTail {
    /// Most bytes kept.
    let capacity: Int
    /// Bytes appended in all (kept or overwritten).
    private(set) var written = 0

    private var file: Int32 = -1
    private var memory: UnsafeMutableRawPointer?
    /// Where each chunk starts in the stream of appended bytes, oldest first; a chunk ends where the next starts.
    private var starts: [(position: Int, offset: TimeInterval)] = []
    private var first = 0

    /// A ring of `capacity` bytes in a file in `directory`, or in memory when `directory` is `nil` or unusable.
    init(capacity: Int, directory: String?) {
        self.capacity = max(1, capacity)
        if let directory { file = Self.openUnlinkedFile(in: directory) }
    }

    deinit {
        if file >= 0 { close(file) }
        memory?.deallocate()
    }

    /// Bytes appended that are no longer kept.
    var droppedBytes: Int { max(0, written - capacity) }

    /// Whether the ring is in a file (false once it fell back to memory).
    var isInFile: Bool { file >= 0 }

    /// Appends `bytes`, overwriting the oldest when full. A chunk in the same millisecond as the previous one
    /// joins it, as storage would.
    func append(_ bytes: Data, offset: TimeInterval) {
        guard !bytes.isEmpty else { return }
        let count = bytes.count
        let skipped = max(0, count - capacity)
        bytes.withUnsafeBytes { raw in
            write(UnsafeRawBufferPointer(rebasing: raw[skipped...]), at: written + skipped)
        }
        if starts.last.map({ Self.millisecond($0.offset) != Self.millisecond(offset) }) ?? true {
            starts.append((written, offset))
        }
        written += count
        let kept = written - min(written, capacity)
        while first + 1 < starts.count && starts[first + 1].position <= kept { first += 1 }
        if first > 1024 && first * 2 > starts.count {
            starts.removeFirst(first)
            first = 0
        }
    }

    /// Passes the kept bytes on, oldest first, in pieces of at most `pieceSize` bytes with their chunk's offset.
    /// Returns the bytes that could not be read back (counted as dropped by the caller).
    func drain(pieceSize: Int = 256 * 1024, into receive: (Data, TimeInterval) -> Void) -> Int {
        let kept = written - min(written, capacity)
        var unreadable = 0
        for index in first..<starts.count {
            let start = max(starts[index].position, kept)
            let end = index + 1 < starts.count ? starts[index + 1].position : written
            var position = start
            while position < end {
                let length = min(pieceSize, end - position)
                if let piece = read(at: position, count: length) {
                    receive(piece, starts[index].offset)
                } else {
                    unreadable += length
                }
                position += length
            }
        }
        return unreadable
    }

    // MARK: Storage

    private static func millisecond(_ offset: TimeInterval) -> Int64 { Int64((offset * 1000).rounded()) }

    private static func openUnlinkedFile(in directory: String) -> Int32 {
        var template = Array((directory.hasSuffix("/") ? directory : directory + "/").utf8CString.dropLast())
        template += Array("runbook-tail-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { return -1 }
        // Children started later must not inherit it.
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        // mkstemp creates the file 0600; unlinking it now leaves nothing behind, whatever happens next.
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        return fd
    }

    /// Writes `bytes` (at most `capacity` of them) at stream position `position`, wrapping around.
    private func write(_ bytes: UnsafeRawBufferPointer, at position: Int) {
        var done = 0
        while done < bytes.count {
            let slot = (position + done) % capacity
            let length = min(bytes.count - done, capacity - slot)
            let source = bytes.baseAddress! + done
            if file >= 0 {
                if !Self.writeFully(file, source, length, at: slot) {
                    moveToMemory()
                    continue
                }
            } else {
                memoryBuffer().advanced(by: slot).copyMemory(from: source, byteCount: length)
            }
            done += length
        }
    }

    /// The `count` bytes at stream position `position` (still kept), or `nil` when the file cannot be read.
    private func read(at position: Int, count: Int) -> Data? {
        var result = Data(count: count)
        var done = 0
        let ok = result.withUnsafeMutableBytes { destination -> Bool in
            while done < count {
                let slot = (position + done) % capacity
                let length = min(count - done, capacity - slot)
                let target = destination.baseAddress! + done
                if file >= 0 {
                    guard Self.readFully(file, target, length, at: slot) else { return false }
                } else if let memory {
                    target.copyMemory(from: memory + slot, byteCount: length)
                } else {
                    return false
                }
                done += length
            }
            return true
        }
        return ok ? result : nil
    }

    private func memoryBuffer() -> UnsafeMutableRawPointer {
        if let memory { return memory }
        let allocated = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        memory = allocated
        return allocated
    }

    /// A write to the file failed (a full disk): what the file holds moves to memory and the ring stays there.
    private func moveToMemory() {
        let buffer = memoryBuffer()
        let kept = min(written, capacity)
        var slot = 0
        while slot < kept {
            let length = min(kept - slot, 1 << 20)
            if !Self.readFully(file, buffer + slot, length, at: slot) { break }
            slot += length
        }
        // Never leave stale heap memory where output should be.
        if slot < kept { (buffer + slot).initializeMemory(as: UInt8.self, repeating: 0, count: kept - slot) }
        close(file)
        file = -1
    }

    private static func writeFully(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int, at offset: Int) -> Bool {
        var done = 0
        while done < count {
            let result = pwrite(fd, bytes + done, count - done, off_t(offset + done))
            if result > 0 {
                done += result
            } else if result < 0 && errno == EINTR {
                continue
            } else {
                return false
            }
        }
        return true
    }

    private static func readFully(_ fd: Int32, _ bytes: UnsafeMutableRawPointer, _ count: Int, at offset: Int)
        -> Bool
    {
        var done = 0
        while done < count {
            let result = pread(fd, bytes + done, count - done, off_t(offset + done))
            if result > 0 {
                done += result
            } else if result < 0 && errno == EINTR {
                continue
            } else {
                return false
            }
        }
        return true
    }
}
