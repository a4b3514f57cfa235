import Foundation
import RunbookKit

extension IncidentREPL {
    /// `alice --note the API is down, rollback next` → (`alice`, the note); without `--note` the note is `nil`.
    static func handoffArguments(_ text: String) -> (name: String, note: String?) {
        let padded = " " + text
        guard let flag = padded.range(of: " --note") else { return (text.trimmingCharacters(in: .whitespaces), nil) }
        let name = padded[..<flag.lowerBound].trimmingCharacters(in: .whitespaces)
        var note = padded[flag.upperBound...]
        if note.hasPrefix("=") { note = note.dropFirst() }
        return (name, note.trimmingCharacters(in: .whitespaces))
    }

    /// The note of a handoff: the one given with `--note`, else asked at a terminal (what is going on, what to do
    /// next). `nil` cancels the handoff (nothing typed). In scripted mode without `--note` the handoff goes ahead
    /// without one (`""`), and says how to give one.
    func handoffNote(_ given: String?) throws -> String? {
        if let given, !given.isEmpty { return given }
        guard reader.isInteractive else {
            say(renderer.paint("no handoff note: pass one with `handoff NAME --note TEXT`", .dim))
            return ""
        }
        let note = try readRequired(
            prompt: "handoff note (what is going on, what to do next) " + renderer.style.mark(.pointer) + " ",
            prefill: nil
        ).trimmingCharacters(in: .whitespaces)
        if note.isEmpty {
            say("handoff cancelled: the next responder needs a note. Try again: handoff NAME [--note TEXT]")
            return nil
        }
        return note
    }

    /// The summary `resolve` records: the one typed after it, else, in production, one asked at a terminal.
    /// `nil` when the responder gave none at the question (the incident stays open). In scripted mode a production
    /// incident without a summary is refused: the session is suspended and the REPL ends with exit status 2.
    func resolveSummary(_ given: String) throws -> String? {
        guard given.isEmpty, session.isProduction else { return given }
        guard reader.isInteractive else {
            try session.suspend(reason: "resolve refused: no summary in production")
            throw CLIError.summaryRequired(incidentID: session.incidentID, environment: session.environment)
        }
        let summary = try readRequired(
            prompt: "summary (what happened, what fixed it) " + renderer.style.mark(.pointer) + " ", prefill: nil
        ).trimmingCharacters(in: .whitespaces)
        if summary.isEmpty {
            say("not resolved: a production incident needs a summary. Type: resolve SUMMARY")
            return nil
        }
        return summary
    }
}
