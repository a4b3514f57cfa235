import Foundation

/// Posts to a Slack incoming webhook: `text` (the notification line, for clients without blocks) and `blocks`.
///
/// The webhook URL is a secret: it comes from the environment variable named in `runbooks/notifiers.yaml`
/// (`url_env: SLACK_WEBHOOK_URL`), never from the file.
public struct SlackNotifier: Notifier {
    public let channel: String
    /// The webhook, or `nil` when the variable is not set (every delivery then fails without retry).
    public let webhookURL: URL?
    /// The environment variable that holds the webhook, for error messages.
    public let urlVariable: String
    /// Which notifications this channel gets.
    public let kinds: Set<EscalationNotification.Kind>
    /// Whether drills are posted here too (`drills: true`); by default they are not.
    public let drills: Bool
    /// Upper bound of one attempt.
    public var timeout: TimeInterval { poster.timeout }
    private let poster: HTTPPoster

    public init(
        channel: String, webhookURL: URL?, urlVariable: String = "SLACK_WEBHOOK_URL",
        kinds: Set<EscalationNotification.Kind> = Set(EscalationNotification.Kind.allCases), drills: Bool = false,
        timeout: TimeInterval = 5
    ) {
        self.channel = channel
        self.webhookURL = webhookURL
        self.urlVariable = urlVariable
        self.kinds = kinds
        self.drills = drills
        self.poster = HTTPPoster(timeout: timeout)
    }

    public func accepts(_ notification: EscalationNotification) -> Bool {
        kinds.contains(notification.kind) && (drills || !notification.isDrill)
    }

    public func close() { poster.close() }

    public func deliver(_ notification: EscalationNotification) -> DeliveryResult {
        guard let webhookURL else {
            return .permanent(error: "\(urlVariable) is not set; export the Slack webhook URL in it")
        }
        return poster.post(payload(for: notification).canonicalData(), to: webhookURL)
    }

    /// The webhook body.
    public func payload(for notification: EscalationNotification) -> JSONValue {
        var context = "Incident #\(notification.incidentID) · \(notification.severity.rawValue)"
        if !notification.runbook.isEmpty { context += " · runbook `\(SlackNotifier.escape(notification.runbook))`" }
        if let number = notification.repeat, number > 0 {
            context += " · repeat \(number) of \(notification.repeatLimit)"
        }
        if let actor = notification.actor { context += " · by \(SlackNotifier.escape(actor))" }
        // The chain head, so the channel's history holds a copy of it that the database's writers cannot change.
        let head = notification.chainHead.map { " · chain head \($0)" } ?? ""
        context += head
        var blocks: [JSONValue] = [
            [
                "type": "section",
                "text": ["type": "mrkdwn", "text": .string("*\(SlackNotifier.escape(notification.message))*")],
            ]
        ]
        if !notification.targets.isEmpty {
            let lines = notification.targets.map { "• " + SlackNotifier.escape($0.displayName) }
            blocks.append(
                ["type": "section", "text": ["type": "mrkdwn", "text": .string(lines.joined(separator: "\n"))]])
        }
        blocks.append(["type": "context", "elements": [["type": "mrkdwn", "text": .string(context)]]])
        return ["text": .string(notification.message + head), "blocks": .array(blocks)]
    }

    /// Slack's mrkdwn needs `&`, `<` and `>` escaped.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
