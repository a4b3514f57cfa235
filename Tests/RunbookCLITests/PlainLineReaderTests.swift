import Foundation
import RunbookCLI
import Testing

@Suite struct PlainLineReaderTests {
    func reader(_ text: String, echo: @escaping (String) -> Void = { _ in }) throws -> PlainLineReader {
        let pipe = Pipe()
        pipe.fileHandleForWriting.write(Data(text.utf8))
        try pipe.fileHandleForWriting.close()
        return PlainLineReader(input: pipe.fileHandleForReading, echo: echo)
    }

    @Test func readsLinesThenReportsTheEnd() throws {
        let reader = try reader("y\r\nskip reason\nlast without newline")
        #expect(reader.readLine(prompt: "› ", prefill: nil, tick: nil) == .line("y"))
        #expect(reader.readLine(prompt: "› ", prefill: "ignored", tick: nil) == .line("skip reason"))
        #expect(reader.readLine(prompt: "› ", prefill: nil, tick: nil) == .line("last without newline"))
        #expect(reader.readLine(prompt: "› ", prefill: nil, tick: nil) == .endOfInput)
        #expect(!reader.isInteractive)
    }

    @Test func echoesPromptAndAnswerButMasksSecrets() throws {
        var echoed = ""
        let reader = try reader("visible\nhunter2\n") { echoed += $0 }
        _ = reader.readLine(prompt: "name: ", prefill: nil, tick: nil)
        #expect(reader.readSecret(prompt: "token: ") == .line("hunter2"))
        #expect(echoed == "name: visible\ntoken: ••••••\n")
    }

    @Test func missingAnswersFileIsAUsageError() {
        #expect(throws: CLIError.self) { try PlainLineReader(answersFile: "/nonexistent/answers.txt") }
    }
}
