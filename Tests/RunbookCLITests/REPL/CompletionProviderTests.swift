import Foundation
import RunbookKit
import RunbookTestSupport
import Testing

@testable import RunbookCLI

/// Scripted answers; at every prompt it first asks the completer what Tab would offer for each of `probes`.
final class CompletionProbingReader: LineReading {
    private let plain: PlainLineReader
    let probes: [String]
    /// Per prompt: the prompt and what the completer offered for each probe.
    private(set) var offered: [(prompt: String, candidates: [String: [String]])] = []
    var completer: ((_ line: String, _ word: String) -> [String])?
    var isInteractive: Bool { false }

    init(_ answers: String, probes: [String]) throws {
        let pipe = Pipe()
        pipe.fileHandleForWriting.write(Data(answers.utf8))
        try pipe.fileHandleForWriting.close()
        plain = PlainLineReader(input: pipe.fileHandleForReading)
        self.probes = probes
    }

    func readLine(prompt: String, prefill: String?, tick: (() -> PromptUpdate)?) -> LineInput {
        var candidates: [String: [String]] = [:]
        for probe in probes { candidates[probe] = completer?(probe, probe) ?? [] }
        offered.append((prompt, candidates))
        return plain.readLine(prompt: prompt, prefill: prefill, tick: tick)
    }

    func readSecret(prompt: String) -> LineInput { plain.readSecret(prompt: prompt) }
    func addToHistory(_ line: String) {}
}

@Suite struct CompletionProviderTests {
    typealias Harness = SessionFixtures.Harness

    static let pods = """
        \u{1B}[1mNAME\u{1B}[0m                 READY   STATUS             RESTARTS
        web-7d9f-x2          1/1     Running            0
        backend-5c-qq        0/1     CrashLoopBackOff   7
        deployment.apps/web  token=[REDACTED:github-token]
        back b

        """

    @Test func outputWordsAreNamesAndNumbersWithoutEscapesMarkersOrCommandWords() {
        let words = CompletionProvider.words(inOutput: Self.pods)
        // STATUS is the `status` command at a variable prompt (words are matched in any case): never offered.
        #expect(words.prefix(3) == ["NAME", "READY", "RESTARTS"])
        #expect(words.contains("web-7d9f-x2"))
        #expect(words.contains("backend-5c-qq"))
        #expect(words.contains("7"), "a revision number")
        #expect(words.contains("deployment.apps/web") && words.contains("web"))
        #expect(!words.contains { $0.contains("REDACTED") || $0.contains("\u{1B}") || $0.contains("[") })
        #expect(!words.contains("back") && !words.contains("b"), "command words are never values")
    }

    @Test func aValuePromptOffersChoicesTheDefaultThenOutputWordsNewestFirst() {
        let offered = CompletionProvider.atValuePrompt(
            word: "", choices: ["website", "backend-api"], defaultValue: "website",
            recentOutputs: ["rev 3 web-new", Self.pods])
        #expect(offered.prefix(5) == ["website", "backend-api", "rev", "3", "web-new"])
        #expect(
            CompletionProvider.atValuePrompt(word: "bac", choices: [], defaultValue: nil, recentOutputs: [Self.pods])
                == ["backend-5c-qq"])
    }

    @Test func outputWordsAreCapped() {
        let output = (1...1000).map { "pod-\($0)" }.joined(separator: "\n")
        let offered = CompletionProvider.atValuePrompt(
            word: "pod-", choices: [], defaultValue: nil, recentOutputs: [output])
        #expect(offered.count == CompletionProvider.outputWordLimit)
        #expect(offered.first == "pod-1")
    }

    @Test func theStepPromptCompletesCommandsStepsRunbooksSeveritiesAndVariables() {
        let context = CompletionProvider.StepPromptContext(
            stepIDs: ["check-pods", "restart"], runbookIDs: { ["outage", "triage"] },
            variableNames: ["ENVIRONMENT", "NAMESPACE", "POD"])
        func offered(_ line: String) -> [String] {
            let word = line.hasSuffix(" ") ? "" : String(line.split(separator: " ").last ?? "")
            return CompletionProvider.atStepPrompt(line: line, word: word, context: context)
        }
        #expect(offered("ba") == ["back"])
        #expect(offered("goto re") == ["restart"])
        #expect(offered("open ") == ["outage", "triage"])
        #expect(offered("sev P") == ["P0", "P1", "P2", "P3"])
        #expect(offered("set ") == ["NAMESPACE=", "POD="])
        #expect(offered("sh kubectl logs $P") == ["$POD"])
    }

    /// Through the REPL: at a variable prompt Tab offers the choices and words of the last command's recorded
    /// output, never a command word; at the step prompt it offers commands again.
    @Test func aVariablePromptCompletesFromTheLastOutputNotCommandWords() throws {
        let harness = Harness(
            runner: FakeCommandRunner { _ in .init(output: "NAME READY\nbackend-5c-qq 0/1\nsecret hunter2\n") })
        harness.redactor.registerSecret("hunter2", name: "password")
        let session = try harness.start()
        let reader = try CompletionProbingReader("\ny\nset SERVICE\nwebsite\nq\n", probes: ["bac", "hun", "web"])
        let repl = IncidentREPL(
            session: session, reader: reader, renderer: SessionRenderer(), write: { _ in },
            commandOutput: CollectingOutputSink())
        _ = try repl.run()
        let service = try #require(reader.offered.first { $0.prompt.hasPrefix("SERVICE") })
        #expect(service.candidates["bac"] == ["backend-api", "backend-5c-qq"])
        #expect(service.candidates["web"] == ["website"])
        #expect(service.candidates["hun"] == [], "the store's output is redacted")
        let namespace = try #require(reader.offered.first { $0.prompt.hasPrefix("NAMESPACE") })
        #expect(namespace.candidates["bac"] == [], "no command word at a variable prompt")
        let stepPrompt = try #require(reader.offered.last)
        #expect(stepPrompt.candidates["bac"] == ["back"])
    }
}
