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

    /// One entry of the recording before it is written.
    struct Frame {
        var time: TimeInterval
        var order: Int
        var code: String
        var data: String
    }

    public func render(_ report: IncidentReport) throws -> Data {
        let incident = report.incident
        var title = "Incident \(incident.id): \(incident.title)"
        if incident.isDrill { title += " (DRILL)" }
        let header: JSONValue = [
            "version": 2,
            "width": .int(Int64(width)),
            "height": .int(Int64(height)),
            "timestamp": .int(Int64(incident.declaredAt.timeIntervalSince1970.rounded(.down))),
            "title": .string(title),
            "env": ["SHELL": .string(shell), "TERM": .string(term)],
            "idle_time_limit": .double(idleTimeLimit),
        ]
        var writer = JSONWriter()
        writer.raw(JSONWriter.compact(header))
        writer.raw("\n")
        let frames = frames(report)
        writer.reserve(frames.count * 96)
        var lastTime: TimeInterval = 0
        for frame in frames {
            // Times never go backwards, whatever the clocks of several responders said.
            lastTime = max(lastTime, frame.time)
            writer.raw("[")
            writer.raw(ExportFormatting.fixed(lastTime, decimals: 6))
            writer.raw(", ")
            writer.writeString(frame.code)
            writer.raw(", ")
            writer.writeString(frame.data)
            writer.raw("]\n")
        }
        return Data(writer.bytes)
    }

    /// Every frame in playing order.
    func frames(_ report: IncidentReport) -> [Frame] {
        let start = report.incident.declaredAt
        let commandsByStart = Dictionary(report.commands.map { ($0.sequence, $0) }, uniquingKeysWith: { a, _ in a })
        let commandsByFinish = Dictionary(
            report.commands.compactMap { command in command.finishSequence.map { ($0, command) } },
            uniquingKeysWith: { a, _ in a })
        var frames: [Frame] = []
        func add(_ time: TimeInterval, _ code: String, _ data: String) {
            frames.append(Frame(time: max(0, time), order: frames.count, code: code, data: data))
        }
        var lastOutputTime: [Int64: TimeInterval] = [:]
        var titles: [String: String] = [:]
        for event in report.events {
            let time = event.timestamp.timeIntervalSince(start)
            let payload = event.payload
            switch event.type {
            case .stepShown:
                let title = payload["title"]?.stringValue ?? event.stepID ?? "step"
                if let step = event.stepID { titles[step] = title }
                add(time, "m", title)
                var text = "\r\n" + Style.bold
                if let index = payload["index"]?.intValue, let total = payload["total"]?.intValue {
                    text += "[\(index)/\(total)] "
                }
                text += Self.terminal(title) + Style.reset + "\r\n"
                if let command = payload["command"]?.stringValue {
                    text += Style.dim + Self.terminal(command) + Style.reset + "\r\n"
                }
                add(time, "o", text)
            case .stepApproved:
                add(time, "o", "Run it? " + Style.green + "yes" + Style.reset + " (\(event.actor))\r\n")
            case .stepEdited:
                let after = (payload["after"] ?? payload["edited"])?.stringValue ?? "?"
                add(time, "o", "Run it? " + Style.yellow + "edit" + Style.reset + " → \(Self.terminal(after))\r\n")
            case .stepSkipped:
                let reason = payload["reason"]?.stringValue.map { ": \($0)" } ?? ""
                add(time, "o", "Run it? " + Style.yellow + "skip" + Style.reset + Self.terminal(reason) + "\r\n")
            case .commandStarted:
                let command = commandsByStart[event.sequence]
                let text = command?.text ?? payload["command"]?.stringValue ?? "?"
                add(time, "o", Style.bold + "$ " + Self.terminal(text) + Style.reset + "\r\n")
                var decoder = OutputDecoder()
                var last = time
                for chunk in command?.output ?? [] {
                    last = max(last, time + chunk.offset)
                    add(last, "o", decoder.decode(chunk.data))
                }
                let rest = decoder.finish()
                if !rest.isEmpty { add(last, "o", rest) }
                if decoder.needsNewline { add(last, "o", "\r\n") }
                lastOutputTime[event.sequence] = last
            case .commandFinished, .commandFailedToStart:
                let command = commandsByFinish[event.sequence]
                let finishTime = max(time, command.flatMap { lastOutputTime[$0.sequence] } ?? time)
                var text = command?.outcome ?? EventSummary.describe(event)
                if let duration = command?.duration { text += " · \(ExportFormatting.duration(duration))" }
                let ok = command?.exitCode == 0 && command?.timedOut == false
                add(finishTime, "o", (ok ? Style.dim : Style.red) + "[\(Self.terminal(text))]" + Style.reset + "\r\n")
            default:
                let line = EventSummary.describe(
                    event, command: nil, stepTitle: event.stepID.flatMap { titles[$0] })
                let colour =
                    event.type == .escalationTriggered || event.type == .severityChanged ? Style.red : Style.cyan
                add(
                    time, "o",
                    colour + "[\(ExportFormatting.sinceStart(event.timestamp, start: start))] "
                        + Self.terminal(line) + Style.reset + " (\(event.actor))\r\n")
            }
        }
        return frames.sorted { ($0.time, $0.order) < ($1.time, $1.order) }
    }

    /// Text of ours (titles, notes) made safe to print: newlines become CR LF, other control characters go.
    static func terminal(_ text: String) -> String {
        let plain = TerminalText.plain(text)
        guard plain.utf8.contains(UInt8(ascii: "\n")) else { return plain }
        var out = ""
        for scalar in plain.unicodeScalars {
            if scalar == "\n" { out += "\r\n" } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }

    private enum Style {
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
