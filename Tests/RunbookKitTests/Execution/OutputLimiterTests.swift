import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

@Suite struct OutputLimiterTests {
    @Test func outputWithinTheLimitPassesUnchanged() {
        let sink = CollectingOutputSink()
        let limiter = OutputLimiter(forwardingTo: sink, limit: 100)
        limiter.receive(Data(repeating: 1, count: 60), offset: 0)
        limiter.receive(Data(repeating: 2, count: 40), offset: 1)
        limiter.finish()
        #expect(sink.data == Data(repeating: 1, count: 60) + Data(repeating: 2, count: 40))
        #expect(limiter.droppedBytes == 0)
        #expect(sink.finishCount == 1)
    }

    @Test func headAndTailAreKeptAndTheMiddleCounted() {
        let sink = CollectingOutputSink()
        let limiter = OutputLimiter(forwardingTo: sink, limit: 100)
        let bytes = Data((0..<1000).map { UInt8($0 % 251) })
        var position = 0
        while position < bytes.count {
            let end = min(bytes.count, position + 33)
            limiter.receive(bytes.subdata(in: position..<end), offset: Double(position))
            position = end
        }
        limiter.finish()
        #expect(sink.data.count == 100)
        #expect(limiter.droppedBytes == 900)
        #expect(sink.data.prefix(75) == bytes.prefix(75))
        #expect(sink.data.suffix(25) == bytes.suffix(25))
        let offsets = sink.chunks.map(\.offset)
        #expect(offsets == offsets.sorted())
    }
}

@Suite struct OutputLimiterTailTests {
    /// Open descriptors of this process that point into `directory`, as `/proc/self/fd` shows them.
    func openFiles(in directory: String) -> [String] {
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return fds.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + $0) }
            .filter { $0.hasPrefix(directory + "/") }
    }

    @Test(arguments: [true, false])
    func theTailIsTheLastQuarterWithItsOffsetsWhateverTheChunkSizes(inFile: Bool) throws {
        let scratch = try ScratchDirectory()
        let sink = CollectingOutputSink()
        let limiter = OutputLimiter(forwardingTo: sink, limit: 4000, spillDirectory: inFile ? scratch.path : nil)
        let total = 50_000
        let bytes = Data((0..<total).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 / 251) })
        // Chunk sizes from 1 byte to more than the whole 1000-byte tail, each chunk in its own millisecond.
        var chunkStarts: [Int] = []
        var position = 0
        var size = 1
        while position < total {
            let end = min(total, position + size)
            chunkStarts.append(position)
            limiter.receive(bytes.subdata(in: position..<end), offset: Double(chunkStarts.count))
            position = end
            size = (size * 37 + 11) % 1500 + 1
        }
        limiter.finish()
        #expect(sink.data == bytes.prefix(3000) + bytes.suffix(1000))
        #expect(limiter.droppedBytes == total - 4000)
        #expect(sink.finishCount == 1)
        // Every piece carries the offset of the chunk its first byte came from.
        var stored = 0
        for chunk in sink.chunks {
            let streamPosition = stored < 3000 ? stored : total - 1000 + (stored - 3000)
            let chunkIndex = chunkStarts.lastIndex { $0 <= streamPosition }!
            #expect(chunk.offset == Double(chunkIndex + 1), "piece at \(streamPosition)")
            stored += chunk.data.count
        }
    }

    @Test func theTailFileIsUnlinkedAtOnceAndClosedAtTheEnd() throws {
        let scratch = try ScratchDirectory()
        let sink = CollectingOutputSink()
        let limiter = OutputLimiter(forwardingTo: sink, limit: 400, spillDirectory: scratch.path)
        limiter.receive(Data(repeating: UInt8(ascii: "h"), count: 300), offset: 0)
        #expect(openFiles(in: scratch.path).isEmpty)
        limiter.receive(Data(repeating: UInt8(ascii: "t"), count: 250), offset: 1)
        let open = openFiles(in: scratch.path)
        #expect(open.count == 1)
        #expect(open.allSatisfy { $0.hasSuffix("(deleted)") })
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty)
        limiter.finish()
        #expect(openFiles(in: scratch.path).isEmpty)
        #expect(
            sink.data == Data(repeating: UInt8(ascii: "h"), count: 300) + Data(repeating: UInt8(ascii: "t"), count: 100)
        )
        #expect(limiter.droppedBytes == 150)
    }

    @Test func anUnusableSpillDirectoryKeepsTheTailInMemory() {
        let sink = CollectingOutputSink()
        let limiter = OutputLimiter(forwardingTo: sink, limit: 40, spillDirectory: "/nonexistent/runbook-spill")
        for index in 0..<100 { limiter.receive(Data([UInt8(index)]), offset: Double(index)) }
        limiter.finish()
        #expect(sink.data == Data((0..<30).map { UInt8($0) } + (90..<100).map { UInt8($0) }))
        #expect(sink.chunks.map(\.offset) == (0..<30).map(Double.init) + (90..<100).map(Double.init))
        #expect(limiter.droppedBytes == 60)
    }
}
