import Foundation

extension HTMLReportExporter {
    /// The commands section: each command with its facts, its text, its output in colours and its replay (or the
    /// note that there is none). One command at a time, one output line at a time.
    func commands(
        _ report: IncidentReport, from transcript: IncidentTranscript, replay: Bool, to out: inout ExportWriter
    ) throws {
        out.raw("<section id=\"commands\">\n<h2>Commands</h2>\n")
        if report.commands.isEmpty {
            out.raw("<p>No commands were run.</p>\n</section>\n")
            return
        }
        let start = report.incident.declaredAt
        for (index, command) in report.commands.enumerated() {
            let number = index + 1
            out.raw("<article class=\"command\" id=\"command-\(number)\">\n<h3>\(number). ")
            out.raw(HTMLText.escaped(Self.oneLine(command.label)))
            out.raw("</h3>\n<p>Run by ")
            out.raw(HTMLText.escaped(command.actor))
            out.raw(
                " at \(ExportFormatting.utc(command.startedAt)) (\(ExportFormatting.sinceStart(command.startedAt, start: start))), "
            )
            let failed =
                command.failureReason != nil || command.timedOut || command.signal != nil
                || (command.exitCode ?? 0) != 0
            out.raw(failed ? "<strong class=\"failed\">" : "<strong>")
            out.raw(HTMLText.escaped(command.outcome))
            out.raw("</strong>")
            if let duration = command.duration { out.raw(", took \(ExportFormatting.duration(duration))") }
            if let cwd = command.workingDirectory { out.raw(", in <code>\(HTMLText.escaped(cwd))</code>") }
            out.raw(".</p>\n<pre class=\"command-text\"><code>")
            out.raw(HTMLText.escaped(command.text))
            out.raw("</code></pre>\n")
            if let original = command.originalText {
                out.raw("<p>Edited before running; the runbook said:</p>\n<pre class=\"command-text\"><code>")
                out.raw(HTMLText.escaped(original))
                out.raw("</code></pre>\n")
            }
            try output(of: command, from: transcript, to: &out)
            if replay {
                // Seconds since the declaration, as in the recording: the command's start, the previous command's
                // start and the next one's. The replay starts at its step's marker (or at the command, when that
                // marker is older than the previous command) and ends at the next marker or the next command.
                func seconds(_ date: Date) -> Double { max(0, date.timeIntervalSince(start)) }
                out.raw("<div class=\"replay\" id=\"replay-\(number)\" data-at=\"")
                out.fixed(seconds(command.startedAt), decimals: 6)
                out.raw("\" data-after=\"")
                out.fixed(index > 0 ? seconds(report.commands[index - 1].startedAt) : 0, decimals: 6)
                if index + 1 < report.commands.count {
                    out.raw("\" data-before=\"")
                    out.fixed(seconds(report.commands[index + 1].startedAt), decimals: 6)
                }
                out.raw(
                    "\"><p><button type=\"button\" class=\"play\" disabled>Replay this step</button> "
                        + "<span class=\"replay-status\"></span></p><div class=\"terminal\"></div>"
                        + "<details><summary>Text of the terminal</summary><pre class=\"screen-text\"></pre></details>"
                        + "</div>\n")
            } else {
                out.raw("<p class=\"replay-note\">\(HTMLText.escaped(Self.missingReplayNote))</p>\n")
            }
            out.raw("</article>\n")
            try out.flushIfFull()
        }
        out.raw("</section>\n")
    }

    /// The output heading and the output in colours: the first and last `outputLines` lines when there are more
    /// than twice as many, with a line saying how many were left out, and a mark where the store cut the output.
    /// The output is read from the transcript twice, one chunk at a time (to count, then to write), as the Markdown
    /// export reads it (`OutputLines`).
    private func output(
        of command: CommandRecord, from transcript: IncidentTranscript, to out: inout ExportWriter
    ) throws {
        let cutAt = command.droppedBytes > 0 ? command.droppedAt.map(Int.init) : nil
        var pieces = 0
        var cutPiece: Int?
        var counter = OutputLines(keep: 0, cutAt: cutAt)
        func count(_ piece: OutputLines.Piece) {
            if case .cut = piece { cutPiece = pieces }
            pieces += 1
        }
        try transcript.forEachOutputChunk(ofCommand: command.sequence) { chunk in counter.add(chunk.data, count) }
        counter.finish(count)
        let lineCount = pieces - (cutPiece == nil ? 0 : 1)
        var notes: [String] = []
        if command.droppedBytes > 0 {
            notes.append("\(command.droppedBytes) bytes beyond the store's cap were not kept")
        }
        if lineCount == 0 {
            out.raw("<p class=\"output-heading\">No output recorded.")
            if !notes.isEmpty { out.raw(" (\(HTMLText.escaped(notes.joined(separator: "; "))))") }
            out.raw("</p>\n")
            return
        }
        let gap = outputLines > 0 && pieces > 2 * outputLines ? outputLines..<(pieces - outputLines) : nil
        var heading = "Output (\(lineCount) line\(lineCount == 1 ? "" : "s")"
        if gap != nil { heading += ", first and last \(outputLines) shown" }
        if !notes.isEmpty { heading += "; " + notes.joined(separator: "; ") }
        out.raw("<p class=\"output-heading\">\(HTMLText.escaped(heading))):</p>\n<pre class=\"output\">")
        var terminal = TerminalHTML()
        var html: [UInt8] = []
        var index = 0
        var failure: (any Error)?
        func write(_ piece: OutputLines.Piece) {
            defer { index += 1 }
            if let gap, gap.contains(index) {
                if case .line(let bytes, _) = piece { terminal.skipLine(bytes[...]) }
                guard index == gap.lowerBound else { return }
                out.raw("<span class=\"cut\">[… \(gap.count) line\(gap.count == 1 ? "" : "s") left out …]</span>\n")
                return
            }
            switch piece {
            case .cut:
                out.raw("<span class=\"cut\">[… \(command.droppedBytes) bytes not kept (output limit) …]</span>\n")
            case .line(let bytes, let omitted):
                html.removeAll(keepingCapacity: true)
                terminal.appendLine(bytes[...], cutBytes: omitted, to: &html)
                html.append(UInt8(ascii: "\n"))
                out.raw(html)
            }
            if failure == nil {
                do { try out.flushIfFull() } catch { failure = error }
            }
        }
        var reader = OutputLines(keep: TerminalHTML.maximumLineBytes, cutAt: cutAt)
        try transcript.forEachOutputChunk(ofCommand: command.sequence) { chunk in
            reader.add(chunk.data, write)
            if let failure { throw failure }
        }
        reader.finish(write)
        if let failure { throw failure }
        out.raw("</pre>\n")
        if terminal.sawInvalidUTF8 {
            out.raw("<p class=\"output-note\">Bytes that are not UTF-8 are shown as �.</p>\n")
        }
    }
}
