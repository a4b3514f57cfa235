import Foundation

/// Follows one incident as other processes record it (`runbook follow`): its events in order, and each command's
/// output chunk by chunk as it is stored, until the incident is resolved or abandoned.
///
/// It reads only what the store holds (already redacted), and never writes. A command's remaining output always
/// comes before the event that finishes it.
public final class TranscriptFollower {
    /// One thing recorded.
    public enum Update: Sendable, Equatable {
        /// An event, in sequence order.
        case event(RecordedEvent)
        /// Chunk number `index` (0 is the first) of the output of the command started by event `commandSequence`.
        case output(commandSequence: Int64, index: Int, chunk: OutputChunk)
    }

    public let store: any WatchableTranscriptStore
    public let incidentID: Int64
    private let watcher: any TranscriptWatching
    /// The last event read.
    public private(set) var lastSequence: Int64
    /// Started commands whose finish was not read yet, with the number of their chunks already returned.
    private var running: [Int64: (stepID: String?, chunks: Int)] = [:]
    /// Whether the incident was resolved or abandoned: nothing more will be recorded.
    public private(set) var isClosed = false

    /// Starts following after event `sequence` (0: from the start). Output already stored of commands started
    /// before it and still running is skipped: what follows it is returned. The watcher is made before anything is
    /// read, so nothing committed from then on is missed.
    public init(store: any WatchableTranscriptStore, incidentID: Int64, after sequence: Int64 = 0) throws {
        self.store = store
        self.incidentID = incidentID
        self.watcher = try store.watcher(incidentID: incidentID)
        self.lastSequence = max(0, sequence)
        guard sequence > 0 else { return }
        try store.forEachEvent(
            incidentID: incidentID,
            types: [.commandStarted, .commandFinished, .commandFailedToStart, .statusChanged, .incidentResolved],
            hashes: false
        ) { event in
            guard event.sequence <= sequence else { return }
            self.track(event)
            if Self.closes(event) { self.isClosed = true }
        }
        for command in running.keys {
            running[command]?.chunks = try store.output(
                incidentID: incidentID, commandSequence: command, fromChunk: 0
            ).count
        }
    }

    /// What was recorded since the last call, waiting up to `timeout` seconds for something when nothing is new
    /// (empty when nothing came in that time, or when the incident is closed).
    public func updates(waitingUpTo timeout: TimeInterval) throws -> [Update] {
        guard !isClosed else { return [] }
        let ready = try read()
        if !ready.isEmpty { return ready }
        let deadline = Date().addingTimeInterval(timeout)
        while !isClosed {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0, try watcher.waitForChange(timeout: remaining) else { return [] }
            let updates = try read()
            if !updates.isEmpty { return updates }
        }
        return []
    }

    /// Whether `event` ends the incident.
    static func closes(_ event: RecordedEvent) -> Bool {
        event.type == .incidentResolved
            || (event.type == .statusChanged
                && ["resolved", "abandoned"].contains(event.payload["to"]?.stringValue ?? ""))
    }

    /// The new events, each finished command's last chunks before its finish, then new chunks of running commands.
    private func read() throws -> [Update] {
        var updates: [Update] = []
        var events: [RecordedEvent] = []
        try store.forEachEvent(incidentID: incidentID, after: lastSequence, types: nil, hashes: true) {
            events.append($0)
        }
        for event in events {
            if let command = finishedCommand(event) { updates += try newOutput(of: command) }
            track(event)
            updates.append(.event(event))
            lastSequence = event.sequence
            if Self.closes(event) {
                isClosed = true
                return updates
            }
        }
        for command in running.keys.sorted() { updates += try newOutput(of: command) }
        return updates
    }

    /// The chunks of `command` stored since the last look.
    private func newOutput(of command: Int64) throws -> [Update] {
        guard let seen = running[command]?.chunks else { return [] }
        let chunks = try store.output(incidentID: incidentID, commandSequence: command, fromChunk: seen)
        running[command]?.chunks = seen + chunks.count
        return chunks.enumerated().map { .output(commandSequence: command, index: seen + $0.offset, chunk: $0.element) }
    }

    /// The running command a finish belongs to: the one it names, else the latest running one of its step, else
    /// the latest running one.
    private func finishedCommand(_ event: RecordedEvent) -> Int64? {
        guard event.type == .commandFinished || event.type == .commandFailedToStart else { return nil }
        if let named = event.payload["command_sequence"]?.intValue { return running[named] == nil ? nil : named }
        let candidates = running.keys.sorted()
        if let step = event.stepID, let match = candidates.last(where: { running[$0]?.stepID == step }) {
            return match
        }
        return candidates.last
    }

    private func track(_ event: RecordedEvent) {
        switch event.type {
        case .commandStarted: running[event.sequence] = (event.stepID, 0)
        case .commandFinished, .commandFailedToStart:
            if let command = finishedCommand(event) { running[command] = nil }
        default: break
        }
    }
}
