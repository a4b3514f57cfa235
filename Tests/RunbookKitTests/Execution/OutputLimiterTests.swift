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

@Suite struct CommandExecutorTests {
    @Test func storageIsRedactedAndLimitedWhileTheScreenShowsTheRealOutput() throws {
        let screen = ScreenCapture()
        let redactor = Redactor()
        redactor.addSecret(name: "API_KEY", value: "k-123456")
        let executor = CommandExecutor(
            runner: PipeCommandRunner(screen: screen.writeEnd), redactor: redactor, outputLimit: 1000)
        var environment = testEnvironment
        environment["API_KEY"] = "k-123456"
        let storage = CollectingOutputSink()
        let result = try executor.run(
            CommandRequest(
                command: "echo \"key=$API_KEY\"; head -c 5000 /dev/zero | tr '\\0' z; echo",
                environment: environment),
            storage: storage)
        let shown = String(decoding: screen.finish(), as: UTF8.self)
        #expect(shown.hasPrefix("key=k-123456\n"))
        #expect(storage.text.hasPrefix("key=[REDACTED:API_KEY]\n"))
        #expect(!storage.text.contains("k-123456"))
        #expect(storage.data.count == 1000)
        #expect(result.outputBytes == 13 + 5000 + 1)
        #expect(result.droppedBytes == 13 + 10 + 5000 + 1 - 1000)
        #expect(storage.finishCount == 1)
    }
}
