import RunbookKit
import RunbookTestSupport
import Testing

@testable import RunbookCLI

@Suite struct TextWrappingTests {
    @Test func wrapsAtWordBoundariesWithinTheWidth() {
        let text = "run? y/yes/run · e/edit · s/skip [reason] · n/note TEXT · b/back · ?/help · q/quit"
        let lines = TextWrapping.wrap(text, width: 60)
        #expect(lines == ["run? y/yes/run · e/edit · s/skip [reason] · n/note TEXT ·", "b/back · ?/help · q/quit"])
        #expect(lines.allSatisfy { TerminalStyle.displayWidth($0) <= 60 })
    }

    @Test func indentsContinuationsAndKeepsParagraphsAndLeadingBlanks() {
        let lines = TextWrapping.wrap(
            "one two three four five six seven\n\n  - eight nine", width: 20, indent: "  ", continuation: "    ")
        #expect(lines == ["  one two three four", "    five six seven", "  ", "    - eight nine"])
    }

    @Test func aWordWiderThanTheLineStaysWholeAndColoursCountNothing() {
        let long = String(repeating: "x", count: 30)
        #expect(TextWrapping.wrap("a \(long) b", width: 20) == ["a", long, "b"])
        let painted = TerminalStyle(usesColor: true, usesASCIIMarks: false).paint("escalating now", [.red])
        #expect(TextWrapping.wrap("the P0 is " + painted, width: 24).count == 1)
    }

    @Test func noWidthWrapsNothing() {
        #expect(TextWrapping.wrap("a b c", width: nil, indent: "  ") == ["  a b c"])
    }

    @Test func theStepScreenWrapsProseButNeverTheCommand() throws {
        let session = try SessionFixtures.Harness().start()
        let frame = try #require(session.frames.last)
        let view = session.view(of: try #require(frame.item), in: frame)
        let command = "kubectl get pods -n \"$NAMESPACE\""
        let screen = SessionRenderer(columns: { 30 }).render(view)
        #expect(screen.contains("  $ " + command), "\(screen)")
        #expect(screen.contains("shown whole, not"), "\(screen)")
        for line in screen.split(separator: "\n") where !line.contains("$ ") {
            #expect(TerminalStyle.displayWidth(String(line)) <= 30, "\(line)")
        }
        #expect(!SessionRenderer().render(view).contains("shown whole"), "scripted mode wraps nothing")
    }

    @Test func aChoicesOptionsWrapUnderTheirLabel() throws {
        let session = try SessionFixtures.Harness().start("triage")
        _ = try session.showCurrent()
        try session.completeManual()
        let frame = try #require(session.frames.last)
        let view = session.view(of: try #require(frame.item), in: frame)
        let screen = SessionRenderer(columns: { 24 }).render(view)
        for line in screen.split(separator: "\n") {
            #expect(TerminalStyle.displayWidth(String(line)) <= 24, "\(line)")
        }
        #expect(screen.contains("  1) Outage"), "\(screen)")
    }
}
