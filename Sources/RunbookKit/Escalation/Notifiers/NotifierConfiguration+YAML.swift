import Foundation
import Yams

extension NotifierConfiguration {
    /// Keys that would hold a secret written literally; refused, with the `_env` key to use instead.
    static let literalSecretKeys: [String: String] = [
        "url": "url_env", "webhook": "url_env", "webhook_url": "url_env", "routing_key": "routing_key_env",
        "integration_key": "routing_key_env", "token": "…_env", "secret": "…_env", "password": "…_env",
        "api_key": "…_env",
    ]

    /// Parses the YAML text of `notifiers.yaml`; `path` is used in error locations.
    public init(yaml text: String, path: String) throws {
        let reader = try ConfigurationReader(
            yaml: text, path: path, hint: "compare with runbooks/notifiers.example.yaml")
        self.init()
        let top = try reader.entries(
            reader.root, what: reader.fileName, allowed: ["notifiers", "timeout", "retry", "repeats", "calendar"])
        for entry in top.entries {
            let value = entry.value
            switch entry.key {
            case "notifiers":
                channels = try reader.sequence(value, what: "`notifiers`").map { try reader.channel($0) }
                let names = channels.map(\.name)
                if let duplicate = names.first(where: { name in names.filter { $0 == name }.count > 1 }) {
                    throw reader.error(
                        "two notifiers are named \"\(duplicate)\"", at: value, hint: "give each notifier its own `name`"
                    )
                }
            case "timeout": attemptTimeout = try reader.duration(value, what: "timeout")
            case "repeats":
                let count = try reader.integer(value, what: "`repeats`")
                guard (0...EscalationSnapshot.maximumRepeatLimit).contains(count) else {
                    throw reader.error(
                        "`repeats` must be between 0 and \(EscalationSnapshot.maximumRepeatLimit), not \(count)",
                        at: value)
                }
                repeatLimit = count
            case "retry": retry = try reader.retry(value)
            default: calendar = try reader.calendar(value)
            }
        }
    }
}

/// How `notifiers.yaml` reads its values: durations, environment variable names, channels.
extension ConfigurationReader {
    /// The entries of the mapping `node` (empty for an empty document); a key outside `allowed` is refused, and a
    /// key that would hold a literal secret is refused with the `_env` key to use instead.
    fileprivate func entries(_ node: Node?, what: String, allowed: [String]) throws -> Mapping {
        guard let node else { return Mapping(node: nil, entries: []) }
        let fields = try mapping(node, what: what)
        for entry in fields.entries where !allowed.contains(entry.key) {
            if let replacement = NotifierConfiguration.literalSecretKeys[entry.key] {
                throw error(
                    "`\(entry.key)` would put a secret in the file; secrets are read from environment variables only",
                    at: entry.keyNode,
                    hint: "write `\(replacement): SOME_VARIABLE` and export the secret in that variable")
            }
            throw unknownKey(entry, in: what, allowed: allowed)
        }
        return fields
    }

    /// A duration like `5s`, `2m` or `1h`, read by `parseTimeout`.
    fileprivate func duration(_ node: Node, what key: String) throws -> TimeInterval {
        guard let text = node.scalar?.string, let seconds = parseTimeout(text) else {
            throw error("`\(key)` must be a duration like 5s, 2m or 1h", at: node, hint: "e.g. `\(key): 5s`")
        }
        return seconds
    }

    /// An environment variable name; a value that looks like the secret itself is refused.
    fileprivate func variableName(_ node: Node, key: String) throws -> String {
        let name = try string(node, what: "`\(key)`")
        let looksLikeName =
            name.range(of: "^[A-Za-z_][A-Za-z0-9_]*$", options: .regularExpression) != nil
            && !(name.count >= 20 && name.range(of: "^[0-9a-fA-F]+$", options: .regularExpression) != nil)
            && !(name.count >= 24 && name.range(of: "[0-9]", options: .regularExpression) != nil
                && name.range(of: "[a-z]", options: .regularExpression) != nil
                && name.range(of: "[A-Z]", options: .regularExpression) != nil)
        guard looksLikeName else {
            throw error(
                "`\(key)` must name an environment variable, and this looks like the secret itself", at: node,
                hint: "write `\(key): SOME_VARIABLE`, export the secret in SOME_VARIABLE, and rotate the secret "
                    + "if this file was shared")
        }
        return name
    }

    fileprivate func kinds(_ node: Node?) throws -> Set<EscalationNotification.Kind> {
        guard let node else { return Set(EscalationNotification.Kind.allCases) }
        return Set(
            try sequence(node, what: "`notify_on`").map { item in
                let text = try string(item, what: "`notify_on`")
                guard let kind = EscalationNotification.Kind(rawValue: text) else {
                    throw error(
                        "unknown notification kind `\(text)`", at: item,
                        hint: "use escalation, severity_upgrade, acknowledge, resolve")
                }
                return kind
            })
    }

    /// `drills: true|false` (default false: drills are shown in the terminal only).
    fileprivate func drills(_ node: Node?) throws -> Bool {
        try node.map {
            try boolean($0, what: "`drills`", hint: "write `drills: true` to deliver drills to this channel too")
        } ?? false
    }

    fileprivate func channel(_ node: Node) throws -> NotifierConfiguration.Channel {
        let typeNode = try required(
            "type", in: mapping(node, what: "a notifier"), what: "a notifier",
            hint: "use type: slack, pagerduty or exec")
        let type = try string(typeNode, what: "`type`")
        switch type {
        case "slack":
            let fields = try entries(
                node, what: "a notifier", allowed: ["type", "name", "url_env", "notify_on", "drills"])
            let name = try fields["name"].map { try string($0, what: "`name`") } ?? type
            let variable = try required(
                "url_env", in: fields, what: "the Slack notifier \"\(name)\"",
                hint: "write `url_env: SLACK_WEBHOOK_URL` and export the webhook URL in that variable")
            return .slack(
                name: name, urlVariable: try variableName(variable, key: "url_env"),
                kinds: try kinds(fields["notify_on"]), drills: try drills(fields["drills"]))
        case "pagerduty":
            let fields = try entries(
                node, what: "a notifier",
                allowed: ["type", "name", "routing_key_env", "endpoint", "dedup_key_prefix", "drills"])
            let name = try fields["name"].map { try string($0, what: "`name`") } ?? type
            let variable = try required(
                "routing_key_env", in: fields, what: "the PagerDuty notifier \"\(name)\"",
                hint: "write `routing_key_env: PAGERDUTY_ROUTING_KEY` and export the routing key in that variable")
            var endpoint = PagerDutyNotifier.defaultEndpoint
            if let node = fields["endpoint"] {
                let text = try string(node, what: "`endpoint`")
                guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme),
                    url.host != nil
                else {
                    throw error("endpoint `\(text)` is not an http(s) URL", at: node)
                }
                endpoint = url
            }
            let prefix = try fields["dedup_key_prefix"].map { try string($0, what: "`dedup_key_prefix`") } ?? "runbook-"
            return .pagerDuty(
                name: name, routingKeyVariable: try variableName(variable, key: "routing_key_env"), endpoint: endpoint,
                dedupKeyPrefix: prefix, drills: try drills(fields["drills"]))
        case "exec":
            let fields = try entries(
                node, what: "a notifier", allowed: ["type", "name", "command", "timeout", "notify_on", "drills", "env"])
            let name = try fields["name"].map { try string($0, what: "`name`") } ?? type
            let commandNode = try required(
                "command", in: fields, what: "the exec notifier \"\(name)\"",
                hint: "write `command: [path/to/program, --flag]`; it gets the notification as JSON on stdin")
            let command: [String]
            if commandNode.sequence != nil {
                command = try sequence(commandNode, what: "`command`").map { try string($0, what: "`command`") }
            } else {
                // A single word is a program; anything with spaces would need a shell, which we never use.
                let word = try string(commandNode, what: "`command`")
                guard !word.contains(" ") else {
                    throw error(
                        "`command` must be a list of words, not a shell line", at: commandNode,
                        hint: "write `command: [\(word.split(separator: " ").joined(separator: ", "))]`")
                }
                command = [word]
            }
            guard !command.isEmpty else { throw error("`command` is empty", at: commandNode) }
            return .exec(
                name: name, command: command, kinds: try kinds(fields["notify_on"]),
                timeout: try fields["timeout"].map { try duration($0, what: "timeout") },
                drills: try drills(fields["drills"]),
                environment: try fields["env"].map { node in
                    try sequence(node, what: "`env`").map { try variableName($0, key: "env") }
                } ?? [])
        default:
            throw error(
                "unknown notifier type `\(type)`", at: typeNode,
                hint: "use slack, pagerduty or exec (the terminal is always on)")
        }
    }

    fileprivate func retry(_ node: Node) throws -> RetryPolicy {
        var policy = RetryPolicy()
        let fields = try entries(
            node, what: "`retry`", allowed: ["max_attempts", "initial_backoff", "max_backoff", "give_up_after"])
        for entry in fields.entries {
            let value = entry.value
            switch entry.key {
            case "max_attempts":
                let count = try integer(value, what: "`max_attempts`")
                guard count >= 1 else { throw error("`max_attempts` must be at least 1", at: value) }
                policy.maxAttempts = count
            case "initial_backoff": policy.initialBackoff = try duration(value, what: "initial_backoff")
            case "max_backoff": policy.maxBackoff = try duration(value, what: "max_backoff")
            default: policy.giveUpAfter = try duration(value, what: "give_up_after")
            }
        }
        return RetryPolicy(
            maxAttempts: policy.maxAttempts, initialBackoff: policy.initialBackoff, maxBackoff: policy.maxBackoff,
            giveUpAfter: policy.giveUpAfter, jitter: policy.jitter)
    }

    private static let weekdays = ["sun": 1, "mon": 2, "tue": 3, "wed": 4, "thu": 5, "fri": 6, "sat": 7]

    fileprivate func calendar(_ node: Node) throws -> BusinessCalendar {
        var calendar = BusinessCalendar()
        let fields = try entries(
            node, what: "`calendar`", allowed: ["time_zone", "working_days", "working_hours", "holidays"])
        for entry in fields.entries {
            let value = entry.value
            switch entry.key {
            case "time_zone":
                let name = try string(value, what: "`time_zone`")
                guard let zone = TimeZone(identifier: name) else {
                    throw error(
                        "unknown time zone `\(name)`", at: value,
                        hint: "use an IANA name such as Europe/London or America/New_York")
                }
                calendar.timeZone = zone
            case "working_days":
                calendar.workingWeekdays = Set(
                    try sequence(value, what: "`working_days`").map { item in
                        let text = try string(item, what: "`working_days`").lowercased()
                        guard let day = Self.weekdays[String(text.prefix(3))] else {
                            throw error(
                                "unknown weekday `\(text)`", at: item, hint: "use mon, tue, wed, thu, fri, sat, sun")
                        }
                        return day
                    })
            case "working_hours":
                let text = try string(value, what: "`working_hours`")
                let parts = text.split(separator: "-").map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, let open = minutes(parts[0]), let close = minutes(parts[1]), open < close else {
                    throw error("working_hours `\(text)` is not a window like 09:00-17:00", at: value)
                }
                calendar.openingMinute = open
                calendar.closingMinute = close
            default:
                calendar.holidays = Set(
                    try sequence(value, what: "`holidays`").map { item in
                        let text = try string(item, what: "`holidays`")
                        guard let date = BusinessCalendar.LocalDate(parsing: text) else {
                            throw error("holiday `\(text)` is not a date like 2026-12-25", at: item)
                        }
                        return date
                    })
            }
        }
        guard calendar.isUsable else {
            throw error("the calendar has no working time", at: node, hint: "give at least one working day")
        }
        return calendar
    }

    /// `09:00` → 540; `24:00` is allowed as a closing time.
    fileprivate func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let hours = Int(parts[0]), let minutes = Int(parts[1]), (0...59).contains(minutes),
            (0...24).contains(hours), hours * 60 + minutes <= 24 * 60
        else { return nil }
        return hours * 60 + minutes
    }
}
