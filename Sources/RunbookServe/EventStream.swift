import Foundation
import RunbookKit

/// The Server-Sent Events of the incident pages (`GET /incidents/ID/events`): one `TranscriptFollower` per
/// incident watched, on a thread of its own, whose updates are rendered once and sent to every page watching it.
///
/// Each event is a message whose `id` is its sequence, with the timeline rows it completed (the report's rows);
/// each output chunk is an `output` message (the command, the chunk's index, its lines in colours); after each
/// batch of events a `state` message carries the facts at the top of the page. The rendered messages are kept,
/// so a page that reconnects with `Last-Event-ID: N` gets every event after N (and the output, which the page
/// takes once by chunk index), then the live ones. A follower whose incident nobody watches for `idleLifetime`
/// seconds stops.
final class IncidentEventStreams: @unchecked Sendable {
    /// A message, as sent.
    struct Message: Sendable {
        /// The event's sequence, `nil` for output.
        var sequence: Int64?
        var text: String
    }

    let store: IncidentPageStore
    /// Seconds a follower runs with no page watching before it stops.
    let idleLifetime: TimeInterval
    /// Seconds between the comments that keep a quiet stream open through proxies.
    let keepAlive: TimeInterval
    /// The most streams open at once, over every incident: each is a connection held open, and descriptors are
    /// shared with the Alertmanager intake and the store.
    let limit: Int
    private let lock = NSLock()
    private var followers: [Int64: Follower] = [:]
    /// Streams open now (under `lock`).
    private var open = 0

    /// Streams of the incidents in `store`, at most `limit` at once.
    init(store: IncidentPageStore, idleLifetime: TimeInterval = 30, keepAlive: TimeInterval = 15, limit: Int = .max) {
        self.store = store
        self.idleLifetime = idleLifetime
        self.keepAlive = keepAlive
        self.limit = limit
    }

    /// How many streams are open.
    var openCount: Int { lock.withLock { open } }

    /// The follower of one incident and the pages watching it; guarded by the streams' lock.
    final class Follower: @unchecked Sendable {
        let incident: Incident
        var history: [Message] = []
        var state: String?
        /// Each page's stream, with the event it resumed after.
        var subscribers: [UUID: (continuation: AsyncStream<String>.Continuation, after: Int64)] = [:]
        var idleSince = Date()
        var isClosed = false

        init(incident: Incident) { self.incident = incident }
    }

    /// The messages of `incident` after event `after` (0: all), then the live ones, as SSE text; `nil` when
    /// `limit` streams are open already.
    func subscribe(_ incident: Incident, after: Int64) -> AsyncStream<String>? {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .unbounded)
        let id = UUID()
        continuation.yield("retry: 2000\n\n")
        let admitted = lock.withLock { () -> Bool in
            guard open < limit else { return false }
            open += 1
            let follower: Follower
            if let running = followers[incident.id] {
                follower = running
            } else {
                follower = Follower(incident: incident)
                followers[incident.id] = follower
                let thread = Thread { [self] in self.run(follower) }
                thread.name = "runbook-serve.follow-\(incident.id)"
                thread.start()
            }
            for message in follower.history where message.sequence.map({ $0 > after }) ?? true {
                continuation.yield(message.text)
            }
            if let state = follower.state { continuation.yield(state) }
            follower.subscribers[id] = (continuation, after)
            return true
        }
        guard admitted else { return nil }
        continuation.onTermination = { [weak self] _ in
            guard let self else { return }
            lock.withLock {
                open -= 1
                guard let follower = followers[incident.id] else { return }
                follower.subscribers[id] = nil
                if follower.subscribers.isEmpty { follower.idleSince = Date() }
            }
        }
        return stream
    }

    /// How many followers run (one per incident watched).
    var followerCount: Int { lock.withLock { followers.count } }

    /// Follows one incident until nobody has watched it for `idleLifetime`.
    private func run(_ follower: Follower) {
        var messages = MessageWriter(incident: follower.incident, store: store)
        var transcript: TranscriptFollower?
        var lastSent = Date()
        while true {
            var batch: [Message] = []
            var state: String?
            do {
                if transcript == nil {
                    transcript = try TranscriptFollower(store: store, incidentID: follower.incident.id)
                }
                if let transcript, !transcript.isClosed {
                    (batch, state) = try messages.render(transcript.updates(waitingUpTo: 1))
                } else {
                    // Resolved: nothing more comes; the follower stays for pages that reconnect, until idle.
                    Thread.sleep(forTimeInterval: 1)
                }
            } catch {
                // The store did not answer: try again with a new follower (it resumes after what was sent).
                transcript = nil
                Thread.sleep(forTimeInterval: 1)
                continue
            }
            let now = Date()
            let keepAlive = batch.isEmpty && state == nil && now.timeIntervalSince(lastSent) >= self.keepAlive
            let stop = lock.withLock { () -> Bool in
                follower.history += batch
                if let state { follower.state = state }
                for (continuation, after) in follower.subscribers.values {
                    for message in batch where message.sequence.map({ $0 > after }) ?? true {
                        continuation.yield(message.text)
                    }
                    if let state { continuation.yield(state) }
                    if keepAlive { continuation.yield(": keep-alive\n\n") }
                }
                guard follower.subscribers.isEmpty, now.timeIntervalSince(follower.idleSince) >= idleLifetime
                else { return false }
                followers[follower.incident.id] = nil
                return true
            }
            if !batch.isEmpty || state != nil || keepAlive { lastSent = now }
            if stop { return }
        }
    }
}

/// Renders a follower's updates into messages: the timeline rows with the report's own row writer, the output
/// in colours, the state after each batch of events.
struct MessageWriter {
    let incident: Incident
    let store: IncidentPageStore
    private var timeline: LiveIncidentHTML.Timeline
    private var outputs: [Int64: (html: LiveIncidentHTML.Output, chunks: Int)] = [:]
    private var step: String?

    init(incident: Incident, store: IncidentPageStore) {
        self.incident = incident
        self.store = store
        timeline = LiveIncidentHTML.Timeline(incident: incident)
    }

    /// The messages of `updates`, and the state message when they held events.
    mutating func render(_ updates: [TranscriptFollower.Update]) throws -> ([IncidentEventStreams.Message], String?) {
        var messages: [IncidentEventStreams.Message] = []
        var sawEvent = false
        for update in updates {
            switch update {
            case .event(let event):
                sawEvent = true
                step = IncidentPageState.step(after: event, current: step)
                let added = try timeline.add(event)
                var members: [String: JSONValue] = ["seq": .int(event.sequence), "type": .string(event.type.rawValue)]
                if !added.rows.isEmpty { members["rows"] = .string(added.rows) }
                if event.type == .commandStarted {
                    outputs[event.sequence] = (LiveIncidentHTML.Output(), 0)
                    members["started"] = .object([
                        "command": .int(event.sequence),
                        "text": .string(event.payload["command"]?.stringValue ?? "?"),
                    ])
                }
                if event.type == .commandFinished || event.type == .commandFailedToStart, let command = added.command,
                    var output = outputs.removeValue(forKey: command)
                {
                    let tail = output.html.finish()
                    if !tail.isEmpty { messages.append(Self.output(command, index: output.chunks, html: tail)) }
                }
                messages.append(
                    .init(
                        sequence: event.sequence,
                        text: "id: \(event.sequence)\ndata: \(JSONValue.object(members).canonicalString)\n\n"))
            case .output(let command, let index, let chunk):
                guard var output = outputs[command] else { continue }
                let html = output.html.add(chunk.data)
                output.chunks = index + 1
                outputs[command] = output
                if !html.isEmpty { messages.append(Self.output(command, index: index, html: html)) }
            }
        }
        guard sawEvent, let current = try store.incident(incident.id) else { return (messages, nil) }
        let state = try IncidentPageState.read(current, step: step, store: store)
        return (messages, "event: state\ndata: \(state.json.canonicalString)\n\n")
    }

    private static func output(_ command: Int64, index: Int, html: String) -> IncidentEventStreams.Message {
        let data: JSONValue = ["command": .int(command), "index": .int(Int64(index)), "html": .string(html)]
        return .init(sequence: nil, text: "event: output\ndata: \(data.canonicalString)\n\n")
    }
}
