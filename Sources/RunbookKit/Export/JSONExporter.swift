import Foundation

/// The complete incident as JSON (`"version": 1`), described by docs/export-schema.json.
///
/// The top-level members come in `memberOrder` (events first, written as they are read), keys inside them are
/// sorted, and times are UTC ISO 8601 with milliseconds, so the same transcript always exports to the same bytes.
/// Output is given as text (lossily decoded) and, when it is not valid UTF-8, also as base64.
public struct JSONExporter: IncidentExporter {
    /// The format version written in every export; bumped on any incompatible change.
    public static let formatVersion: Int64 = 1

    /// Creates the exporter.
    public init() {}

    public var fileExtension: String { "json" }

    /// The document's first member, `"generator": "runbook export"`.
    public var generatorMarker: String { Self.jsonGeneratorMarker }

    /// The top-level members in the order they are written: `events` before everything derived from them, so
    /// that each event goes out as it is read and an export of any size holds none of them.
    public static let memberOrder: [String] = [
        "generator", "version", "events", "chain_head", "commands", "incident", "metrics", "notifications", "outbox",
        "timers",
    ]

    public func write(_ transcript: IncidentTranscript, to sink: ExportSink) throws {
        // The same document as `document(transcript)`: the members in `memberOrder`, keys sorted inside them. Each
        // event is written straight from its row (no dictionary per event whose keys are then sorted).
        let depth = 0
        var writer = ExportWriter(sink: sink)
        writer.member("generator", index: 0, depth: depth)
        writer.writeString("runbook export")
        writer.member("version", index: 1, depth: depth)
        writer.write(.int(Self.formatVersion), depth: depth + 1)
        writer.member("events", index: 2, depth: depth)
        var builder = IncidentReport.Builder(incident: transcript.incident, outputs: transcript.outputs)
        try transcript.forEachEvent { event in
            builder.add(event)
            writer.element(index: builder.eventCount - 1, depth: depth + 1)
            write(event, to: &writer, depth: depth + 2)
            try writer.flushIfFull()
        }
        let report = builder.report(timers: transcript.timers, outbox: transcript.outbox)
        writer.endArray(count: report.eventCount, depth: depth + 1)
        writer.member("chain_head", index: 3, depth: depth)
        writer.write(transcript.chainHead?.json ?? .null, depth: depth + 1)
        writer.member("commands", index: 4, depth: depth)
        for (index, record) in report.commands.enumerated() {
            writer.element(index: index, depth: depth + 1)
            try write(record, from: transcript, clockSpeed: report.clockSpeed, to: &writer, depth: depth + 2)
            try writer.flushIfFull()
        }
        writer.endArray(count: report.commands.count, depth: depth + 1)
        writer.member("incident", index: 5, depth: depth)
        writer.write(incident(report), depth: depth + 1)
        writer.member("metrics", index: 6, depth: depth)
        writer.write(metrics(report), depth: depth + 1)
        writer.member("notifications", index: 7, depth: depth)
        writer.write(.array(notifications(report)), depth: depth + 1)
        writer.member("outbox", index: 8, depth: depth)
        writer.write(.array(outbox(report)), depth: depth + 1)
        writer.member("timers", index: 9, depth: depth)
        writer.write(.array(timers(report)), depth: depth + 1)
        writer.endObject(depth: depth)
        writer.raw("\n")
        try writer.flush()
    }

    /// `command(_:)` written directly, members in sorted key order, with its output streamed from the transcript.
    private func write(
        _ record: CommandRecord, from transcript: IncidentTranscript, clockSpeed: Double,
        to writer: inout ExportWriter, depth: Int
    ) throws {
        guard case .object(var members) = command(record) else { return }
        members["output"] = .null
        for (index, key) in members.keys.sorted().enumerated() {
            writer.member(named: key, index: index, depth: depth)
            if key == "output" {
                try JSONCommandOutput(clockSpeed: clockSpeed).write(
                    record, from: transcript, to: &writer, depth: depth + 1)
            } else {
                writer.write(members[key]!, depth: depth + 1)
            }
        }
        writer.endObject(depth: depth)
    }

    /// `event(_:)` written directly, members in sorted key order.
    private func write(_ event: RecordedEvent, to writer: inout ExportWriter, depth: Int) {
        writer.member("actor", index: 0, depth: depth)
        writer.writeString(event.actor)
        writer.member("hash", index: 1, depth: depth)
        writer.writeString(event.hash)
        writer.member("payload", index: 2, depth: depth)
        writer.write(event.payload, depth: depth + 1)
        writer.member("previous_hash", index: 3, depth: depth)
        writer.writeString(event.previousHash)
        writer.member("sequence", index: 4, depth: depth)
        writer.write(.int(event.sequence), depth: depth + 1)
        writer.member("step_id", index: 5, depth: depth)
        if let step = event.stepID { writer.writeString(step) } else { writer.write(.null) }
        writer.member("timestamp", index: 6, depth: depth)
        writer.writeISO8601(event.timestamp)
        writer.member("type", index: 7, depth: depth)
        writer.writeString(event.type.rawValue)
        writer.endObject(depth: depth)
    }

    /// The export as a JSON value (the whole document in memory: for tests and small incidents): the rendered
    /// document, read back.
    public func document(_ transcript: IncidentTranscript) throws -> JSONValue {
        try JSONValue(parsing: String(decoding: try render(transcript), as: UTF8.self))
    }

    private func time(_ date: Date?) -> JSONValue {
        date.map { .string(ExportFormatting.iso8601($0)) } ?? .null
    }

    private func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }

    private func seconds(_ interval: TimeInterval?) -> JSONValue {
        interval.map { .double(($0 * 1000).rounded() / 1000) } ?? .null
    }

    private func incident(_ report: IncidentReport) -> JSONValue {
        let incident = report.incident
        return .object([
            "id": .int(incident.id),
            "title": .string(incident.title),
            "runbook": .string(incident.runbook),
            "runbooks": .array(report.runbooks.map(JSONValue.string)),
            "environment": .string(incident.environment),
            "severity": .string(incident.severity.rawValue),
            "status": .string(incident.status.rawValue),
            "open": .bool(report.isOpen),
            "drill": .bool(incident.isDrill),
            "declared_at": time(incident.declaredAt),
            "acknowledged_at": time(report.declaredPlus(report.metrics.timeToAcknowledge)),
            "mitigated_at": time(report.declaredPlus(report.metrics.timeToMitigate)),
            "resolved_at": time(report.declaredPlus(report.metrics.timeToResolve)),
            "host": .string(incident.host),
            "user": .string(incident.user),
            "responders": .array(report.responders.map(JSONValue.string)),
            "policy_snapshot": incident.policySnapshot ?? .null,
        ])
    }

    /// A command's members, all but `output` (written from the transcript as it is read).
    private func command(_ command: CommandRecord) -> JSONValue {
        return .object([
            "sequence": .int(command.sequence),
            "finish_sequence": command.finishSequence.map(JSONValue.int) ?? .null,
            "step_id": optional(command.stepID),
            "step_title": optional(command.stepTitle),
            "command": .string(command.text),
            "original_command": optional(command.originalText),
            "edited": .bool(command.wasEdited),
            "cwd": optional(command.workingDirectory),
            "actor": .string(command.actor),
            "started_at": time(command.startedAt),
            "finished_at": time(command.finishedAt),
            "exit_code": command.exitCode.map(JSONValue.int) ?? .null,
            "signal": optional(command.signal),
            "duration_seconds": seconds(command.duration),
            "timed_out": .bool(command.timedOut),
            "dropped_bytes": .int(command.droppedBytes),
            "failure": optional(command.failureReason),
        ])
    }

    private func metrics(_ report: IncidentReport) -> JSONValue {
        let metrics = report.metrics
        return .object([
            "time_to_detect_seconds": seconds(metrics.timeToDetect),
            "impact_started_at": time(report.facts.impactStartTime),
            "detected_at": time(report.facts.detectionTime),
            "time_to_acknowledge_seconds": seconds(metrics.timeToAcknowledge),
            "time_to_mitigate_seconds": seconds(metrics.timeToMitigate),
            "time_to_resolve_seconds": seconds(metrics.timeToResolve),
            "severity_periods": .array(
                metrics.severityPeriods.map { period in
                    .object([
                        "severity": .string(period.severity.rawValue), "start": time(period.start),
                        "end": time(period.end), "seconds": seconds(period.duration),
                        "ongoing": .bool(period.isOngoing),
                    ])
                }),
            "time_at_severity_seconds": .object(
                Dictionary(
                    metrics.timeAtSeverity.map { ($0.severity.rawValue, seconds($0.duration)) },
                    uniquingKeysWith: { a, _ in a })),
            "escalations": .array(
                metrics.escalations.map { escalation in
                    .object([
                        "time": time(escalation.time), "level": escalation.level.map(JSONValue.int) ?? .null,
                        "targets": .array(escalation.targets.map(JSONValue.string)),
                        "severity": optional(escalation.severity?.rawValue),
                    ])
                }),
            "response_checks": .array(
                metrics.responseChecks.map { check in
                    .object([
                        "severity": .string(check.severity.rawValue), "since": time(check.since),
                        "response_time": optional(check.responseTime?.description),
                        "response_time_seconds": allowedSeconds(check.responseTime),
                        "responded_after_seconds": seconds(check.respondedAfter),
                        "outcome": .string(check.outcome.rawValue),
                    ])
                }),
        ])
    }

    private func allowedSeconds(_ responseTime: ResponseTime?) -> JSONValue {
        if case .duration(let allowed)? = responseTime { return seconds(allowed) }
        return .null
    }

    /// The incident's escalation timers (every generation, whatever became of it).
    private func timers(_ report: IncidentReport) -> [JSONValue] {
        report.timers.map { timer in
            .object([
                "generation": .int(timer.generation),
                "kind": .string(timer.kind.rawValue),
                "repeat": .int(Int64(timer.repeat)),
                "deadline": time(timer.deadline),
                "status": .string(timer.status.rawValue),
            ])
        }
    }

    /// The notification outbox: each notification per channel, with its delivery state and the notification as
    /// stored (channel-neutral, never a secret).
    private func outbox(_ report: IncidentReport) -> [JSONValue] {
        report.outbox.map { entry in
            .object([
                "id": .int(entry.id),
                "channel": .string(entry.channel),
                "kind": .string(entry.notification.kind.rawValue),
                "status": .string(entry.status.rawValue),
                "attempts": .int(Int64(entry.attempts)),
                "next_attempt": time(entry.nextAttempt),
                "last_error": optional(entry.lastError),
                "notification":
                    (try? JSONValue(parsing: String(decoding: entry.notification.jsonData(), as: UTF8.self)))
                    ?? .null,
            ])
        }
    }

    /// Notification attempts, from the `notification.sent` and `notification.failed` events.
    private func notifications(_ report: IncidentReport) -> [JSONValue] {
        report.notifications.map { event in
            let payload = event.payload
            return .object([
                "sequence": .int(event.sequence),
                "time": time(event.timestamp),
                "sent": .bool(event.type == .notificationSent),
                "channel": payload["channel"] ?? .null,
                "attempt": payload["attempt"] ?? .null,
                // What the channel answered when it was sent (`HTTP 200`, `exit 0`).
                "status": payload["status"] ?? payload["detail"] ?? .null,
                "error": payload["error"] ?? .null,
            ])
        }
    }
}
