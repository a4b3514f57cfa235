import ArgumentParser
import Foundation
import RunbookKit

/// `runbook follow ID`: a live, read-only view of an incident that someone else drives.
struct FollowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "follow",
        abstract: "Watch an incident live from another terminal: its timeline, then each event and output.",
        discussion: """
            Prints the timeline so far, one line per event as `runbook transcript` shows it, then each new \
            event and each line of command output as the driver's session (or `runbook note`, `ack`, `sev`, \
            `status` from any terminal) records it, until the incident is resolved or abandoned, or Ctrl-C. \
            It only reads: output is what the store holds, already redacted. A line of output shows once \
            it ends (or when its command finishes).

            On an SQLite file it looks for changes every 100 ms; on PostgreSQL (--db postgres://…) it is told \
            of each commit (LISTEN/NOTIFY) and never polls.

              runbook follow 12
              runbook follow 12 --no-history --format json | jq .

            Exit codes: 0 the incident was resolved or abandoned (at once if it already was), 2 no such \
            incident, 4 database unusable or missing, 130 Ctrl-C.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(
        help: ArgumentHelp("The incident id (`runbook incidents --open` lists them).", valueName: "ID"),
        completion: ShellCompletion.incidentIDs)
    var incident: Int64

    @Option(help: ArgumentHelp("Start after event SEQ (what came before is not shown).", valueName: "seq"))
    var since: Int64?

    @Flag(help: "Show only what is recorded from now on.")
    var noHistory = false

    @Option(help: "text, or json: one JSON object per line (an event, or a chunk of output), for tools.")
    var format: TranscriptFormat = .text

    func validate() throws {
        if since != nil && noHistory { throw ValidationError("Give --since or --no-history, not both.") }
        if let since, since < 0 { throw ValidationError("--since must be 0 or more.") }
    }

    func run() throws {
        let location = StoreOpener.location(global)
        // Following creates nothing: a mistyped path is an error, not a new empty database.
        if !location.isPostgres, !FileManager.default.fileExists(atPath: location.path) {
            throw TranscriptError.missingDatabase(path: location.path)
        }
        let (opened, name) = try StoreOpener.openTranscript(global, redactor: nil)
        guard let store = opened as? any WatchableTranscriptStore else {
            throw TranscriptError.missingDatabase(path: name)
        }
        guard let incident = try store.incident(incident) else {
            throw TranscriptError.unknownIncident(id: self.incident, path: name)
        }
        let head = try store.chainHead(incidentID: incident.id)?.sequence ?? 0
        let follower = try TranscriptFollower(
            store: store, incidentID: incident.id, after: noHistory ? head : min(since ?? 0, head))
        var screen = FollowScreen(incident: incident, format: format, width: TranscriptText.sequenceWidth(head + 100))
        if format == .text { screen.write(TranscriptText.header(incident).joined(separator: "\n") + "\n\n") }
        while !follower.isClosed {
            screen.show(try follower.updates(waitingUpTo: 5))
        }
        screen.finish()
    }
}

/// What `runbook follow` writes, as updates come: unbuffered, so a pipe sees each line at once.
struct FollowScreen {
    let incident: Incident
    let format: TranscriptFormat
    let width: Int
    /// Each running command's bytes not shown yet (a line not ended; the start of a UTF-8 character).
    private var pending: [Int64: Data] = [:]
    private let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    init(incident: Incident, format: TranscriptFormat, width: Int) {
        self.incident = incident
        self.format = format
        self.width = width
    }

    func write(_ text: String) {
        guard !text.isEmpty else { return }
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    mutating func show(_ updates: [TranscriptFollower.Update]) {
        var text = ""
        for update in updates {
            switch update {
            case .event(let event):
                if event.type == .commandFinished || event.type == .commandFailedToStart,
                    let command = event.payload["command_sequence"]?.intValue
                {
                    text += flush(command)
                }
                text += line(for: event)
            case .output(let command, let index, let chunk):
                text += output(chunk.data, command: command, index: index, offset: chunk.offset)
            }
        }
        write(text)
    }

    /// Whatever is still held back, at the end.
    mutating func finish() {
        write(pending.keys.sorted().map { flush($0) }.joined())
    }

    private func line(for event: RecordedEvent) -> String {
        switch format {
        case .text:
            return TranscriptText.eventLine(event, declaredAt: incident.declaredAt, width: width, full: false) + "\n"
        case .json:
            let json = FollowEventJSON(event: EventJSON(event, output: nil, full: true, previewLines: 0))
            return (try? String(decoding: encoder.encode(json), as: UTF8.self)).map { $0 + "\n" } ?? ""
        }
    }

    /// The text of a chunk: in text form each ended line, escape sequences removed, under its command; in JSON
    /// one object with the chunk's text (a character cut between two chunks goes with the second).
    private mutating func output(_ data: Data, command: Int64, index: Int, offset: Double) -> String {
        var bytes = pending[command, default: Data()]
        bytes.append(data)
        switch format {
        case .text:
            guard let last = bytes.lastIndex(of: UInt8(ascii: "\n")) else {
                pending[command] = bytes
                return ""
            }
            pending[command] = Data(bytes[bytes.index(after: last)...])
            return textLines(Data(bytes[..<last]))
        case .json:
            let cut = Self.completeUTF8Prefix(bytes)
            pending[command] = Data(bytes[cut...])
            let json = FollowOutputJSON(
                incident: incident.id, commandSequence: command, chunk: index,
                offsetMilliseconds: Int64((offset * 1000).rounded()),
                text: String(decoding: bytes[..<cut], as: UTF8.self))
            return (try? String(decoding: encoder.encode(json), as: UTF8.self)).map { $0 + "\n" } ?? ""
        }
    }

    /// What a finished command still holds back.
    private mutating func flush(_ command: Int64) -> String {
        guard let bytes = pending.removeValue(forKey: command), !bytes.isEmpty else { return "" }
        switch format {
        case .text: return textLines(bytes)
        case .json:
            let json = FollowOutputJSON(
                incident: incident.id, commandSequence: command, chunk: nil, offsetMilliseconds: nil,
                text: String(decoding: bytes, as: UTF8.self))
            return (try? String(decoding: encoder.encode(json), as: UTF8.self)).map { $0 + "\n" } ?? ""
        }
    }

    private func textLines(_ bytes: Data) -> String {
        let text = ANSIText.strip(String(decoding: bytes, as: UTF8.self))
        return text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { TranscriptText.outputLine($0.hasSuffix("\r") ? $0.dropLast() : $0) + "\n" }.joined()
    }

    /// Where the last complete UTF-8 character of `bytes` ends.
    static func completeUTF8Prefix(_ bytes: Data) -> Data.Index {
        var index = bytes.endIndex
        var continuation = 0
        while index > bytes.startIndex, continuation < 4 {
            let byte = bytes[bytes.index(before: index)]
            if byte & 0xC0 == 0x80 {
                continuation += 1
                index = bytes.index(before: index)
                continue
            }
            let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
            return length > continuation + 1 ? bytes.index(before: index) : bytes.endIndex
        }
        return bytes.endIndex
    }
}

/// An event in `runbook follow --format json`: `"kind": "event"` and the fields of `runbook transcript --format
/// json`'s events.
struct FollowEventJSON: Encodable {
    var event: EventJSON

    private enum Key: String, CodingKey { case kind }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode("event", forKey: .kind)
        try event.encode(to: encoder)
    }
}

/// A chunk of command output in `runbook follow --format json`.
struct FollowOutputJSON: Encodable {
    var kind = "output"
    var incident: Int64
    var commandSequence: Int64
    /// The chunk's number; `nil` for the bytes held back until the command finished (a cut character).
    var chunk: Int?
    var offsetMilliseconds: Int64?
    var text: String

    init(incident: Int64, commandSequence: Int64, chunk: Int?, offsetMilliseconds: Int64?, text: String) {
        self.incident = incident
        self.commandSequence = commandSequence
        self.chunk = chunk
        self.offsetMilliseconds = offsetMilliseconds
        self.text = text
    }

    enum CodingKeys: String, CodingKey {
        case kind, incident, chunk, text
        case commandSequence = "command_seq", offsetMilliseconds = "offset_ms"
    }
}
