import Foundation
import Testing

@testable import RunbookKit

/// The Markdown export's sealing, fed as the exporter feeds it: in writes that cut lines anywhere (the exporter writes
/// no CR: line breaks in text are shown as ↵). Whatever the cuts, the sealed document is the same, and each end
/// marker holds the hash of its block's lines.
@Suite struct BlockSealerTests {
    static let document =
        "# Postmortem\n\nintro by the template\n" + GeneratedBlock.begin("timeline") + "\n"
        + "| time | what |\n|---|---|\n| 00:01 | <b>note</b> with `code` |\nanother line\n"
        + String(repeating: "a long row of output that crosses many writes ", count: 40) + "\n"
        + "<not a marker> but starts with <\n" + GeneratedBlock.end("timeline") + "\n\nbetween blocks\n"
        + GeneratedBlock.begin("notes") + "\n- one\n- two\n" + GeneratedBlock.end("notes") + "\ntail without newline"

    static func sealed(cuts: [Int]) throws -> String {
        let target = ExportSink()
        let sealer = BlockSealer(target: target)
        let bytes = Array(document.utf8)
        var start = 0
        for cut in cuts + [bytes.count] where cut > start {
            try bytes[start..<min(cut, bytes.count)].withUnsafeBytes { try sealer.take($0) }
            start = min(cut, bytes.count)
        }
        try sealer.finish()
        return String(decoding: target.data, as: UTF8.self)
    }

    static func hash(_ lines: String) -> String {
        var hasher = GeneratedBlock.Hasher()
        for line in lines.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            hasher.add(line: Array(line.utf8))
        }
        return hasher.hex()
    }

    @Test func everyCutGivesTheSameSealedDocument() throws {
        let whole = try Self.sealed(cuts: [])
        let timeline =
            "| time | what |\n|---|---|\n| 00:01 | <b>note</b> with `code` |\nanother line\n"
            + String(repeating: "a long row of output that crosses many writes ", count: 40) + "\n"
            + "<not a marker> but starts with <\n"
        #expect(whole.contains(GeneratedBlock.sealedEnd("timeline", hash: Self.hash(timeline))), "\(whole)")
        #expect(whole.contains(GeneratedBlock.sealedEnd("notes", hash: Self.hash("- one\n- two\n"))), "\(whole)")
        #expect(whole.hasSuffix("tail without newline\n"))
        let count = Self.document.utf8.count
        for step in [1, 2, 3, 7, 64, 500] {
            #expect(try Self.sealed(cuts: Array(stride(from: step, to: count, by: step))) == whole, "step \(step)")
        }
        var state: UInt64 = 0x1234_5678_9ABC_DEF1
        for _ in 0..<200 {
            var cuts: [Int] = []
            for _ in 0..<6 {
                state = state &* 6_364_136_223_846_793_005 &+ 1
                cuts.append(Int(state >> 33) % count)
            }
            #expect(try Self.sealed(cuts: cuts.sorted()) == whole, "cuts \(cuts.sorted())")
        }
    }

    @Test func byteSearchFindsTheFirstByteInItsRangeOnly() {
        let bytes: [UInt8] = [1, 10, 2, 10, 3]
        bytes.withUnsafeBytes { buffer in
            #expect(ByteSearch.firstIndex(of: 10, in: buffer, from: 0) == 1)
            #expect(ByteSearch.firstIndex(of: 10, in: buffer, from: 2) == 3)
            #expect(ByteSearch.firstIndex(of: 10, in: buffer, from: 4) == nil)
            #expect(ByteSearch.firstIndex(of: 10, in: buffer, from: 2, to: 3) == nil)
            #expect(ByteSearch.firstIndex(of: 10, in: buffer, from: 5) == nil)
            #expect(ByteSearch.firstIndex(of: 3, in: buffer, from: 0) == 4)
        }
        [UInt8]().withUnsafeBytes { #expect(ByteSearch.firstIndex(of: 10, in: $0, from: 0) == nil) }
    }
}
