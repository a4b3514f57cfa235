import Foundation

/// An asciicast v2 recording of the incident: each command's output at its original time (relative to the
/// declaration), a marker at each step so players can jump between steps, and the prompts, approvals and other
/// events rendered as terminal output so the replay reads like the session.
///
/// Format: https://docs.asciinema.org/manual/asciicast/v2/ — a JSON header line, then one JSON array per event.
public struct AsciicastExporter: IncidentExporter {
    /// Terminal width in columns written in the header.
    public var width: Int
    /// Terminal height in rows written in the header.
    public var height: Int
    /// Longest pause a player shows, in seconds; incidents have long quiet stretches.
    public var idleTimeLimit: Double
    /// `SHELL` recorded in the header's `env` (the only other variable is `TERM`; nothing else leaks).
    public var shell: String
    /// `TERM` recorded in the header's `env`.
    public var term: String

    /// Creates the exporter.
    public init(
        width: Int = 120, height: Int = 40, idleTimeLimit: Double = 2, shell: String = "/bin/sh",
        term: String = "xterm-256color"
    ) {
        self.width = width
        self.height = height
        self.idleTimeLimit = idleTimeLimit
        self.shell = shell
        self.term = term
    }

    public var fileExtension: String { "cast" }

    /// A `"generator"` key of the header line (players ignore keys they do not know).
    public var generatorMarker: String { Self.jsonGeneratorMarker }

    /// One entry of the recording before it is written.
    struct Frame {
        var time: TimeInterval
        var order: Int
        var code: String
        var data: String
    }

    public func write(_ transcript: IncidentTranscript, to sink: ExportSink) throws {
        let incident = transcript.incident
        var title = "Incident \(incident.id): \(incident.title)"
        if incident.isDrill { title += " (DRILL)" }
        var header: JSONValue = [
            "version": 2,
            "generator": "runbook export",
            "width": .int(Int64(width)),
            "height": .int(Int64(height)),
            "timestamp": .int(Int64(incident.declaredAt.timeIntervalSince1970.rounded(.down))),
            "title": .string(title),
            "env": ["SHELL": .string(shell), "TERM": .string(term)],
            "idle_time_limit": .double(idleTimeLimit),
        ]
        // Players ignore header keys they do not know; this one is the chain head the recording was taken at.
        if let head = transcript.chainHead, case .object(var members) = header {
            members["chain_head"] = head.json
            header = .object(members)
        }
        var writer = ExportWriter(sink: sink)
        writer.raw(ExportWriter.compact(header))
        writer.raw("\n")
        var lastTime: TimeInterval = 0
        var failure: (any Error)?
        /// Writes one frame line.
        func write(_ time: TimeInterval, _ code: String, _ data: String) {
            // Times never go backwards, whatever the clocks of several responders said.
            lastTime = max(lastTime, time)
            writer.raw("[")
            writer.fixed(lastTime, decimals: 6)
            writer.raw(", ")
            writer.writeString(code)
            writer.raw(", ")
            writer.writeString(data)
            writer.raw("]\n")
            // A command's output can be long: hand full buffers over as they fill (an error waits for the event).
            if failure == nil {
                do { try writer.flushIfFull() } catch { failure = error }
            }
        }
        var queue = FrameQueue()
        var now: TimeInterval = 0
        var player = FramePlayer(start: incident.declaredAt, cuts: try Self.cuts(in: transcript))
        var builder = IncidentReport.Builder(incident: incident, outputs: transcript.outputs)
        try transcript.forEachEvent(hashes: false) { event in
            let command = builder.add(event).map { builder.commands[$0] }
            // Events come in order: every frame still to come is at this event's time or after it, so whatever
            // waits until then plays now, and this event's frames at that time go straight out after it.
            now = max(0, event.timestamp.timeIntervalSince(incident.declaredAt))
            while let frame = queue.popFirst(dueBy: now) { write(frame.time, frame.code, frame.data) }
            let speed = builder.clockSpeed
            func output(_ sequence: Int64, _ body: (OutputChunk) -> Void) throws {
                try transcript.forEachOutputChunk(ofCommand: sequence) {
                    body(OutputChunk(offset: $0.offset * speed, data: $0.data))
                }
            }
            try player.add(event, command: command, output: output) { time, code, data in
                let time = max(0, time)
                // Straight out when nothing that waits comes first in playing order (time, then order made).
                if time <= now, (queue.firstTime ?? .infinity) > time {
                    write(time, code, data)
                } else if queue.bytes > Self.queueBudget {
                    // Output waiting for later events is bounded: past the budget it plays now, after whatever
                    // waits before it (later events are then shown after it).
                    while let frame = queue.popFirst(dueBy: time) { write(frame.time, frame.code, frame.data) }
                    write(time, code, data)
                } else {
                    queue.add(time, code, data)
                }
            }
            if let failure { throw failure }
            try writer.flushIfFull()
        }
        while let frame = queue.popFirst(dueBy: nil) { write(frame.time, frame.code, frame.data) }
        if let failure { throw failure }
        try writer.flush()
    }

    /// Bytes of frames that may wait for later events (8 MiB).
    static let queueBudget = 8 << 20

    /// Frames waiting to be played, kept in playing order (time, then the order they were made in). A command's
    /// output may run past the events that follow it, so its frames wait here until those events have played.
    struct FrameQueue {
        private var frames: [Frame] = []
        private var head = 0
        private var made = 0

        /// Time of the first frame waiting, if any.
        var firstTime: TimeInterval? { head < frames.count ? frames[head].time : nil }
        /// Bytes of the frames waiting.
        private(set) var bytes = 0

        /// Queues a frame at `time` (never before 0).
        mutating func add(_ time: TimeInterval, _ code: String, _ data: String) {
            let frame = Frame(time: max(0, time), order: made, code: code, data: data)
            made += 1
            bytes += data.utf8.count
            // Frames nearly always come in time order: look for the place from the end.
            var index = frames.count
            while index > head, frames[index - 1].time > frame.time { index -= 1 }
            frames.insert(frame, at: index)
        }

        /// The first frame, when it is due by `time` (any frame when `time` is `nil`).
        mutating func popFirst(dueBy time: TimeInterval?) -> Frame? {
            guard head < frames.count, time.map({ frames[head].time <= $0 }) ?? true else {
                if head == frames.count, head > 0 {
                    frames.removeAll(keepingCapacity: true)
                    head = 0
                }
                return nil
            }
            head += 1
            bytes -= frames[head - 1].data.utf8.count
            return frames[head - 1]
        }
    }

    /// Turns events into frames, remembering what later events need (step titles, when output ended).
    struct FramePlayer {
        let start: Date
        private var lastOutputTime: [Int64: TimeInterval] = [:]
        private var titles: [String: String] = [:]
        /// Where the store cut each command's output, by `command.started` sequence.
        let cuts: [Int64: OutputCut]

        init(start: Date, cuts: [Int64: OutputCut] = [:]) {
            self.start = start
            self.cuts = cuts
        }

        /// Gives the frames of `event` to `frame` (time, code, data), in order; `command` is its command record, for
        /// `command.*` events.
        mutating func add(
            _ event: RecordedEvent, command: CommandRecord?,
            output: (Int64, (OutputChunk) -> Void) throws -> Void = { _, _ in },
            _ frame: (TimeInterval, String, String) -> Void
        ) throws {
            let time = event.timestamp.timeIntervalSince(start)
            let payload = event.payload
            switch event.type {
            case .stepShown:
                let adHoc = payload["kind"]?.stringValue == "adhoc" ? payload["command"]?.stringValue : nil
                let title = payload["title"]?.stringValue ?? adHoc.map { "sh: " + $0 } ?? event.stepID ?? "step"
                if let step = event.stepID { titles[step] = title }
                frame(time, "m", title)
                var text = "\r\n" + Style.bold
                if let index = payload["index"]?.intValue, let total = payload["total"]?.intValue {
                    text += "[\(index)/\(total)] "
                }
                text += AsciicastExporter.terminal(title) + Style.reset + "\r\n"
                if let command = payload["command"]?.stringValue {
                    text += Style.dim + AsciicastExporter.terminal(command) + Style.reset + "\r\n"
                }
                frame(time, "o", text)
            case .stepApproved:
                frame(time, "o", "Run it? " + Style.green + "yes" + Style.reset + " (\(event.actor))\r\n")
            case .stepEdited:
                let after = (payload["after"] ?? payload["edited"])?.stringValue ?? "?"
                frame(
                    time, "o",
                    "Run it? " + Style.yellow + "edit" + Style.reset + " → \(AsciicastExporter.terminal(after))\r\n")
            case .stepSkipped:
                let reason = payload["reason"]?.stringValue.map { ": \($0)" } ?? ""
                frame(
                    time, "o",
                    "Run it? " + Style.yellow + "skip" + Style.reset + AsciicastExporter.terminal(reason) + "\r\n")
            case .commandStarted:
                let text = command?.text ?? payload["command"]?.stringValue ?? "?"
                // A command no step was shown for (`runbook record`) gets a marker of its own to jump to.
                if command?.wasShown == false {
                    frame(time, "m", "$ " + (text.split(whereSeparator: \.isNewline).first.map(String.init) ?? text))
                }
                frame(time, "o", Style.bold + "$ " + AsciicastExporter.terminal(text) + Style.reset + "\r\n")
                lastOutputTime[event.sequence] = try AsciicastExporter.playOutput(
                    of: event.sequence, cut: cuts[event.sequence], from: time, output: output, frame)
            case .commandFinished, .commandFailedToStart:
                let finishTime = max(time, command.flatMap { lastOutputTime[$0.sequence] } ?? time)
                var text = command?.outcome ?? EventSummary.describe(event)
                if let duration = command?.duration { text += " · \(ExportFormatting.duration(duration))" }
                let ok = command?.exitCode == 0 && command?.timedOut == false
                frame(
                    finishTime, "o",
                    (ok ? Style.dim : Style.red) + "[\(AsciicastExporter.terminal(text))]" + Style.reset + "\r\n")
            default:
                let line = EventSummary.describe(
                    event, command: nil, stepTitle: event.stepID.flatMap { titles[$0] })
                let colour =
                    event.type == .escalationTriggered || event.type == .severityChanged ? Style.red : Style.cyan
                // Built in one reserved string: a large incident is mostly these lines.
                let shown = AsciicastExporter.terminal(line)
                var text = ""
                text.reserveCapacity(shown.utf8.count + event.actor.utf8.count + 40)
                text += colour
                text += "["
                text += ExportFormatting.sinceStart(event.timestamp, start: start)
                text += "] "
                text += shown
                text += Style.reset
                text += " ("
                text += event.actor
                text += ")\r\n"
                frame(time, "o", text)
            }
        }
    }

    /// Where the store dropped a command's output, and how much.
    struct OutputCut {
        var at: Int
        var droppedBytes: Int64
    }

    /// The cut of every command whose output the store cut, from the `command.finished` events: the output plays
    /// at `command.started`, before its finish is read.
    static func cuts(in transcript: IncidentTranscript) throws -> [Int64: OutputCut] {
        var cuts: [Int64: OutputCut] = [:]
        try transcript.forEachEvent(types: [.commandFinished], hashes: false) { event in
            let payload = event.payload
            guard let sequence = payload["command_sequence"]?.intValue, let at = payload["dropped_at"]?.intValue,
                let dropped = payload["dropped_bytes"]?.intValue, dropped > 0
            else { return }
            cuts[sequence] = OutputCut(at: Int(at), droppedBytes: dropped)
        }
        return cuts
    }

    /// Gives the frames of `command`'s output, starting at `time`, to `frame`, with a mark where the store cut it;
    /// returns the time of the last one.
    static func playOutput(
        of sequence: Int64, cut outputCut: OutputCut?, from time: TimeInterval,
        output: (Int64, (OutputChunk) -> Void) throws -> Void, _ frame: (TimeInterval, String, String) -> Void
    ) throws -> TimeInterval {
        // `output` calls back into code that calls `frame`; neither keeps the other.
        try withoutActuallyEscaping(frame) { frame in
            try playOutput(of: sequence, cut: outputCut, from: time, output: output, escaping: frame)
        }
    }

    private static func playOutput(
        of sequence: Int64, cut outputCut: OutputCut?, from time: TimeInterval,
        output: (Int64, (OutputChunk) -> Void) throws -> Void,
        escaping frame: @escaping (TimeInterval, String, String) -> Void
    ) throws -> TimeInterval {
        var decoder = OutputDecoder()
        var last = time
        var position = 0
        var cut = outputCut?.at
        func markCut() {
            if decoder.needsNewline { frame(last, "o", "\r\n") }
            frame(
                last, "o",
                Style.yellow + "[… \(outputCut?.droppedBytes ?? 0) bytes not kept (output limit) …]" + Style.reset
                    + "\r\n")
            decoder.startLine()
            cut = nil
        }
        try output(sequence) { chunk in
            last = max(last, time + chunk.offset)
            var data = chunk.data
            if let at = cut, at < position + data.count {
                let split = data.startIndex + max(0, at - position)
                frame(last, "o", decoder.decode(data[..<split]) + decoder.finish())
                markCut()
                data = data[split...]
            }
            position += chunk.data.count
            frame(last, "o", decoder.decode(data))
        }
        let rest = decoder.finish()
        if !rest.isEmpty { frame(last, "o", rest) }
        if cut != nil { markCut() }
        if decoder.needsNewline { frame(last, "o", "\r\n") }
        return last
    }

    /// Text of ours (titles, notes) made safe to print: newlines become CR LF, other control characters go.
    static func terminal(_ text: String) -> String {
        let plain = TerminalText.plain(text)
        guard TerminalText.contains(UInt8(ascii: "\n"), in: plain) else { return plain }
        var out = ""
        for scalar in plain.unicodeScalars {
            if scalar == "\n" { out += "\r\n" } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }

    fileprivate enum Style {
        static let reset = "\u{1B}[0m"
        static let bold = "\u{1B}[1m"
        static let dim = "\u{1B}[2m"
        static let red = "\u{1B}[31m"
        static let green = "\u{1B}[32m"
        static let yellow = "\u{1B}[33m"
        static let cyan = "\u{1B}[36m"
    }
}

/// Decodes a command's output chunk by chunk for replay: UTF-8 sequences split across chunks are joined, invalid
/// bytes become U+FFFD, and bare LF becomes CR LF (the transcript stores clean `\n`; a player's terminal needs the
/// carriage return the pty would have added).
struct OutputDecoder {
    private var pending: [UInt8] = []
    private var previous: UInt8 = 0
    /// Whether the output so far ends mid-line, so the next frame should start on a new line.
    private(set) var needsNewline = false

    mutating func decode(_ data: Data) -> String {
        var bytes = pending
        bytes.append(contentsOf: data)
        let cut = Self.completePrefixLength(bytes)
        pending = Array(bytes[cut...])
        return convert(bytes[..<cut])
    }

    /// Forgets that the output so far ended mid-line (a line of ours was written after it).
    mutating func startLine() { needsNewline = false }

    /// Whatever is left (an incomplete sequence at the very end) as replacement characters.
    mutating func finish() -> String {
        defer { pending = [] }
        return pending.isEmpty ? "" : convert(pending[...])
    }

    private mutating func convert(_ bytes: ArraySlice<UInt8>) -> String {
        guard !bytes.isEmpty else { return "" }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 16)
        for byte in bytes {
            if byte == 0x0A, previous != 0x0D { out.append(0x0D) }
            out.append(byte)
            previous = byte
        }
        needsNewline = previous != 0x0A
        return String(decoding: out, as: UTF8.self)
    }

    /// Length of `bytes` without a trailing, incomplete (but so far valid-looking) UTF-8 sequence.
    static func completePrefixLength(_ bytes: [UInt8]) -> Int {
        var index = bytes.count - 1
        var continuation = 0
        while index >= 0, continuation < 3, bytes[index] & 0xC0 == 0x80 {
            continuation += 1
            index -= 1
        }
        guard index >= 0 else { return bytes.count }
        let lead = bytes[index]
        let expected: Int
        switch lead {
        case 0xC2...0xDF: expected = 1
        case 0xE0...0xEF: expected = 2
        case 0xF0...0xF4: expected = 3
        default: return bytes.count
        }
        return continuation < expected ? index : bytes.count
    }
}
