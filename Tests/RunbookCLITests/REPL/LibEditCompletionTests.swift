import Testing

@testable import RunbookCLI

@Suite struct LibEditCompletionTests {
    @Test func onlyCandidatesExtendingTheWordAreOffered() {
        let matches = LibEditLineReader.matches(line: "goto che", word: "che") { _, _ in
            ["check-pods", "restart-web", "check-db", "check-pods"]
        }
        #expect(matches == ["check-pods", "check-db"])
    }

    @Test func theCompleterSeesTheLineAndTheWord() {
        nonisolated(unsafe) var seen: (String, String)?
        _ = LibEditLineReader.matches(line: "sev P", word: "P") { line, word in
            seen = (line, word)
            return []
        }
        #expect(seen?.0 == "sev P")
        #expect(seen?.1 == "P")
    }
}
