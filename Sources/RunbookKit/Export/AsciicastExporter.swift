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
        }
        var queue = FrameQueue()
        var now: TimeInterval = 0
        var player = FramePlayer(start: incident.declaredAt)
        var builder = IncidentReport.Builder(incident: incident, outputs: transcript.outputs)
        try transcript.forEachEvent(hashes: false) { event in
            let command = builder.add(event).map { builder.commands[$0] }
            // Events come in order: every frame still to come is at this event's time or after it, so whatever
            // waits until then plays now, and this event's frames at that time go straight out after it.
            now = max(0, event.timestamp.timeIntervalSince(incident.declaredAt))
            while let frame = queue.popFirst(dueBy: now) { write(frame.time, frame.code, frame.data) }
            player.add(event, command: command) { time, code, data in
                let time = max(0, time)
                // Straight out when nothing that waits comes first in playing order (time, then order made).
                if time <= now, (queue.firstTime ?? .infinity) > time {
                    write(time, code, data)
                } else {
                    queue.add(time, code, data)
                }
            }
            try writer.flushIfFull()
        }
        while let frame = queue.popFirst(dueBy: nil) { write(frame.time, frame.code, frame.data) }
        try writer.flush()
    }

    /// Frames waiting to be played, kept in playing order (time, then the order they were made in). A command's
    /// output may run past the events that follow it, so its frames wait here until those events have played.
    struct FrameQueue {
        private var frames: [Frame] = []
        private var head = 0
        private var made = 0

        /// Time of the first frame waiting, if any.
        var firstTime: TimeInterval? { head < frames.count ? frames[head].time : nil }

        /// Queues a frame at `time` (never before 0).
        mutating func add(_ time: TimeInterval, _ code: String, _ data: String) {
            let frame = Frame(time: max(0, time), order: made, code: code, data: data)
            made += 1
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
            return frames[head - 1]
        }
    }

    /// Turns events into frames, remembering what later events need (step titles, when output ended).
    struct FramePlayer {
        let start: Date
        private var lastOutputTime: [Int64: TimeInterval] = [:]
        private var titles: [String: String] = [:]

        init(start: Date) { self.start = start }

        /// Gives the frames of `event` to `frame` (time, code, data), in order; `command` is its command record, for
        /// `command.*` events.
        mutating func add(
            _ event: RecordedEvent, command: CommandRecord?, _ frame: (TimeInterval, String, String) -> Void
        ) {
            let time = event.timestamp.timeIntervalSince(start)
            let payload = event.payload
            switch event.type {
            case .stepShown:
                let title = payload["title"]?.stringValue ?? event.stepID ?? "step"
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
                frame(time, "o", Style.bold + "$ " + AsciicastExporter.terminal(text) + Style.reset + "\r\n")
                var decoder = OutputDecoder()
                var last = time
                for chunk in command?.output ?? [] {
                    last = max(last, time + chunk.offset)
                    frame(last, "o", decoder.decode(chunk.data))
                }
                let rest = decoder.finish()
                if !rest.isEmpty { frame(last, "o", rest) }
                if decoder.needsNewline { frame(last, "o", "\r\n") }
                lastOutputTime[event.sequence] = last
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
    private static func completePrefixLength(_ bytes: [UInt8]) -> Int {
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
