import Crypto
import Foundation

/// One notification of Alertmanager's webhook receiver, format version 4: a group of alerts (by `groupKey`) and
/// whether the group as a whole is firing or resolved.
public struct AlertmanagerWebhook: Sendable, Equatable {
    /// The largest body taken; a larger one is refused (413) before it is parsed.
    public static let maximumBodySize = 1 << 20

    /// Firing or resolved, of the group and of each alert.
    public enum Status: String, Sendable, Equatable, Codable {
        case firing, resolved
    }

    /// One alert of the group.
    public struct Alert: Sendable, Equatable {
        /// Whether this alert fires or has ended.
        public var status: Status
        /// Its labels (`alertname`, `severity`, …), which identify it.
        public var labels: [String: String]
        /// Its annotations (`summary`, `runbook_url`, …).
        public var annotations: [String: String]
        /// When it began, and when it ended (Alertmanager's RFC 3339 text, kept as sent).
        public var startsAt: String
        public var endsAt: String
        /// The Prometheus expression that raised it.
        public var generatorURL: String
        /// Alertmanager's id of the alert (a hash of its labels); derived the same way when absent.
        public var fingerprint: String

        /// `alertname`, else `alert`.
        public var name: String { labels["alertname"].flatMap { $0.isEmpty ? nil : $0 } ?? "alert" }
        /// The `summary` annotation, else `description`, else `message`, trimmed to one line.
        public var summary: String? {
            for key in ["summary", "description", "message"] {
                if let text = annotations[key]?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty {
                    return text.split(whereSeparator: \.isNewline).first.map(String.init)
                }
            }
            return nil
        }
        /// "NAME: summary", or the name alone.
        public var title: String { summary.map { "\(name): \($0)" } ?? name }
    }

    /// The format's version: `4`.
    public var version: String
    /// The group's id, the same in every notification about it.
    public var groupKey: String
    /// Firing while any alert of the group fires.
    public var status: Status
    /// The receiver's name in Alertmanager's configuration.
    public var receiver: String
    /// The labels the group is formed by (`group_by`).
    public var groupLabels: [String: String]
    /// The labels all its alerts share.
    public var commonLabels: [String: String]
    /// The annotations all its alerts share.
    public var commonAnnotations: [String: String]
    /// Alertmanager's own address.
    public var externalURL: String
    /// How many alerts Alertmanager left out of this notification (`max_alerts`).
    public var truncatedAlerts: Int
    /// The alerts of the group, firing and resolved.
    public var alerts: [Alert]

    /// Parses a request body; a `WebhookError` (a 4xx status and a message) says what is wrong with it.
    public static func parse(_ body: Data) throws(WebhookError) -> AlertmanagerWebhook {
        guard body.count <= maximumBodySize else { throw .tooLarge(size: body.count) }
        let wire: Wire
        do {
            wire = try JSONDecoder().decode(Wire.self, from: body)
        } catch DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty {
            throw .malformed("the body is not JSON")
        } catch let error as DecodingError {
            throw .malformed(Self.describe(error))
        } catch {
            throw .malformed("the body is not JSON")
        }
        guard wire.version == "4" else {
            throw .unsupported("webhook version \(wire.version) is not supported; only version 4 is")
        }
        let groupKey = wire.groupKey.trimmingCharacters(in: .whitespaces)
        guard !groupKey.isEmpty else { throw .unsupported("`groupKey` is empty") }
        let alerts = wire.alerts.map { alert in
            Alert(
                status: alert.status, labels: alert.labels ?? [:], annotations: alert.annotations ?? [:],
                startsAt: alert.startsAt ?? "", endsAt: alert.endsAt ?? "", generatorURL: alert.generatorURL ?? "",
                fingerprint: alert.fingerprint.flatMap { $0.isEmpty ? nil : $0 }
                    ?? Self.fingerprint(of: alert.labels ?? [:]))
        }
        return AlertmanagerWebhook(
            version: wire.version, groupKey: groupKey, status: wire.status, receiver: wire.receiver ?? "",
            groupLabels: wire.groupLabels ?? [:], commonLabels: wire.commonLabels ?? [:],
            commonAnnotations: wire.commonAnnotations ?? [:], externalURL: wire.externalURL ?? "",
            truncatedAlerts: wire.truncatedAlerts ?? 0, alerts: alerts)
    }

    /// A stable id of an alert without a fingerprint: the hash of its sorted labels.
    static func fingerprint(of labels: [String: String]) -> String {
        let text = labels.keys.sorted().map { "\($0)=\(labels[$0]!)" }.joined(separator: "\u{1F}")
        return SHA256.hash(data: Data(text.utf8)).prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return keys.isEmpty ? "the body" : String(keys.drop { $0 == "." })
        }
        switch error {
        case .keyNotFound(let key, let context):
            let at = context.codingPath.isEmpty ? "" : " in \(path(context))"
            return "`\(key.stringValue)` is missing\(at)"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "`\(path(context))` has the wrong type"
        case .dataCorrupted(let context):
            return "`\(path(context))` is not valid: \(context.debugDescription)"
        @unknown default:
            return "the body is not a webhook notification"
        }
    }

    private struct Wire: Decodable {
        var version: String
        var groupKey: String
        var status: Status
        var receiver: String?
        var groupLabels: [String: String]?
        var commonLabels: [String: String]?
        var commonAnnotations: [String: String]?
        var externalURL: String?
        var truncatedAlerts: Int?
        var alerts: [WireAlert]
    }

    private struct WireAlert: Decodable {
        var status: Status
        var labels: [String: String]?
        var annotations: [String: String]?
        var startsAt: String?
        var endsAt: String?
        var generatorURL: String?
        var fingerprint: String?
    }
}

/// Why a webhook body was refused: the HTTP status and what to fix, sent back as `{"error": …}`. Nothing is
/// recorded for a refused body.
public enum WebhookError: Error, Equatable, Sendable {
    /// The body is larger than `AlertmanagerWebhook.maximumBodySize` (413).
    case tooLarge(size: Int)
    /// Not JSON, or not the webhook's shape (400).
    case malformed(String)
    /// A well-formed body this service does not take: another version, an empty group key (422).
    case unsupported(String)

    /// The HTTP status.
    public var status: Int {
        switch self {
        case .tooLarge: return 413
        case .malformed: return 400
        case .unsupported: return 422
        }
    }

    /// What is wrong, for the `error` member of the response.
    public var message: String {
        switch self {
        case .tooLarge:
            return "the body is larger than \(AlertmanagerWebhook.maximumBodySize) bytes; lower max_alerts in the "
                + "webhook receiver"
        case .malformed(let text): return text + "; expected Alertmanager's webhook JSON (version 4)"
        case .unsupported(let text): return text
        }
    }
}
