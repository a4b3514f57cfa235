import Foundation
import Testing

@testable import RunbookCLI

/// `runbook follow --format json` never prints half a character: the bytes of one cut between two stored chunks
/// wait for the next chunk.
@Suite struct FollowScreenTests {
    @Test func aCharacterCutBetweenChunksIsHeldUntilItIsWhole() {
        let text = Data("lag é 3 s 🔥".utf8)
        for cut in 0...text.count {
            let head = Data(text[..<cut])
            let end = FollowScreen.completeUTF8Prefix(head)
            let shown = String(decoding: head[..<end], as: UTF8.self)
            #expect(!shown.contains("\u{FFFD}"), "cut at \(cut): \(shown)")
            #expect(head.count - end < 4, "at most three bytes wait")
            #expect(text.starts(with: head[..<end]))
        }
        #expect(FollowScreen.completeUTF8Prefix(text) == text.count)
        #expect(FollowScreen.completeUTF8Prefix(Data([0x6C, 0xC3])) == 1)
    }
}
