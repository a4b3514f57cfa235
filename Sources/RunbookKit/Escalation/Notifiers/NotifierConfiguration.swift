import Foundation

/// The channels, delivery settings and business calendar read from `runbooks/notifiers.yaml`.
///
/// Secrets never live in the file: a channel names the environment variable that holds its secret
/// (`url_env: SLACK_WEBHOOK_URL`), and a secret written literally is refused. The format is documented in
/// docs/escalation.md; `runbooks/notifiers.example.yaml` is a commented example.
public struct NotifierConfiguration: Sendable, Hashable {
    /// One configured channel, before its secret is read from the environment.
    public enum Channel: Sendable, Hashable {
        case slack(name: String, urlVariable: String, kinds: Set<EscalationNotification.Kind>, drills: Bool)
        case pagerDuty(
            name: String, routingKeyVariable: String, endpoint: URL, dedupKeyPrefix: String, drills: Bool)
        /// `environment`: the variables of the escalator's environment the hook gets besides the minimal ones
        /// (`env: [NAME, …]`): its own credentials, and nothing of any other channel's.
        case exec(
            name: String, command: [String], kinds: Set<EscalationNotification.Kind>, timeout: TimeInterval?,
            drills: Bool, environment: [String] = [])

        /// The channel's name.
        public var name: String {
            switch self {
            case .slack(let name, _, _, _), .pagerDuty(let name, _, _, _, _), .exec(let name, _, _, _, _, _):
                return name
            }
        }

        /// Whether drills are delivered to it (`drills: true`; by default only the terminal shows them).
        public var takesDrills: Bool {
            switch self {
            case .slack(_, _, _, let drills), .pagerDuty(_, _, _, _, let drills), .exec(_, _, _, _, let drills, _):
                return drills
            }
        }
    }

    /// The file name looked up in the runbooks directory.
    public static let fileName = "notifiers.yaml"

    public var channels: [Channel]
    /// Upper bound of one HTTP attempt.
    public var attemptTimeout: TimeInterval
    public var retry: RetryPolicy
    /// The calendar for response times in business days.
    public var calendar: BusinessCalendar
    /// Repeat escalations after the first (default 3, at most 9); copied into each incident's snapshot.
    public var repeatLimit: Int

    public init(
        channels: [Channel] = [], attemptTimeout: TimeInterval = 5, retry: RetryPolicy = RetryPolicy(),
        calendar: BusinessCalendar = BusinessCalendar(), repeatLimit: Int = EscalationSnapshot.defaultRepeatLimit
    ) {
        self.channels = channels
        self.attemptTimeout = attemptTimeout
        self.retry = retry
        self.calendar = calendar
        self.repeatLimit = repeatLimit
    }

    /// Reads `notifiers.yaml` from `runbooksDirectory`; without the file, only the terminal is notified.
    public static func load(runbooksDirectory: String) throws -> NotifierConfiguration {
        let path = (runbooksDirectory as NSString).appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: path) else { return NotifierConfiguration() }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else {
            throw ConfigurationError(
                "cannot read \(path) as UTF-8 text", hint: "check the file's permissions and encoding")
        }
        return try NotifierConfiguration(yaml: text, path: path)
    }

    /// The notifiers to deliver through, with secrets read from `environment` now.
    public func makeNotifiers(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        source: String = ProcessInfo.processInfo.hostName, currentDirectory: URL? = nil
    ) -> [any Notifier] {
        channels.map { channel -> any Notifier in
            switch channel {
            case .slack(let name, let variable, let kinds, let drills):
                let url = environment[variable].flatMap { $0.isEmpty ? nil : URL(string: $0) }
                return SlackNotifier(
                    channel: name, webhookURL: url, urlVariable: variable, kinds: kinds, drills: drills,
                    timeout: attemptTimeout)
            case .pagerDuty(let name, let variable, let endpoint, let prefix, let drills):
                return PagerDutyNotifier(
                    channel: name, routingKey: environment[variable], routingKeyVariable: variable,
                    endpoint: endpoint, dedupKeyPrefix: prefix, source: source, drills: drills, timeout: attemptTimeout)
            case .exec(let name, let command, let kinds, let timeout, let drills, let variables):
                return ExecNotifier(
                    channel: name, command: command, kinds: kinds, drills: drills,
                    timeout: timeout ?? max(attemptTimeout, 10), currentDirectory: currentDirectory,
                    environmentVariables: variables)
            }
        }
    }

    /// The environment variables that hold the channels' secrets (`url_env`, `routing_key_env`, an exec hook's
    /// `env`), in order.
    public var secretVariables: [String] {
        channels.flatMap { channel -> [String] in
            switch channel {
            case .slack(_, let variable, _, _), .pagerDuty(_, let variable, _, _, _): return [variable]
            case .exec(_, _, _, _, _, let variables): return variables
            }
        }
    }

    /// The environment variables that channels name but that are not set (to warn at start).
    public func missingSecrets(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        channels.compactMap { channel in
            switch channel {
            case .slack(_, let variable, _, _), .pagerDuty(_, let variable, _, _, _):
                return (environment[variable] ?? "").isEmpty ? variable : nil
            case .exec: return nil
            }
        }
    }

    /// Teaches `redactor` the value of every secret variable the channels name, so that an error, an HTTP error
    /// body or a command's output echoing a webhook URL or a routing key is stored redacted.
    public func registerSecrets(
        with redactor: any SecretRegistering, environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        for variable in secretVariables {
            if let value = environment[variable], !value.isEmpty { redactor.registerSecret(value, name: variable) }
        }
    }
}
