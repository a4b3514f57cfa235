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
        let root: Node?
        do {
            root = try YAMLText.compose(text, path: path)
        } catch {
            throw NotifierConfigurationError(
                "\(error.location): \(path) is not valid YAML: \(error.problem)",
                hint: "compare with runbooks/notifiers.example.yaml")
        }
        self.init()
        guard let root else { return }
        let reader = YAMLReader(path: path)
        let top = try reader.mapping(root, what: "the top level")
        for (key, value) in top {
            switch key {
            case "notifiers":
                channels = try reader.sequence(value, what: "notifiers").map { try reader.channel($0) }
                let names = channels.map(\.name)
                if let duplicate = names.first(where: { name in names.filter { $0 == name }.count > 1 }) {
                    throw NotifierConfigurationError(
                        "two notifiers are named \"\(duplicate)\"", at: reader.location(value),
                        hint: "give each notifier its own `name`")
                }
            case "timeout": attemptTimeout = try reader.duration(value, what: "timeout")
            case "repeats":
                let count = try reader.integer(value, what: "repeats")
                guard (0...EscalationSnapshot.maximumRepeatLimit).contains(count) else {
                    throw NotifierConfigurationError(
                        "repeats must be between 0 and \(EscalationSnapshot.maximumRepeatLimit), not \(count)",
                        at: reader.location(value))
                }
                repeatLimit = count
            case "retry": retry = try reader.retry(value)
            case "calendar": calendar = try reader.calendar(value)
            default:
                throw reader.unknownKey(
                    key, node: value, allowed: ["notifiers", "timeout", "retry", "repeats", "calendar"])
            }
        }
    }
}

/// Reads typed values out of Yams nodes, with `file:line:col` in every error.
private struct YAMLReader {
    var path: String

    func location(_ node: Node) -> SourceLocation? {
        node.mark.map { SourceLocation(file: path, line: $0.line, column: $0.column) }
    }

    func mapping(_ node: Node, what: String) throws -> [(String, Node)] {
        guard let mapping = node.mapping else {
            throw NotifierConfigurationError("\(what) must be a mapping of keys to values", at: location(node))
        }
        return mapping.map { ($0.key.string ?? "", $0.value) }
    }

    func sequence(_ node: Node, what: String) throws -> [Node] {
        guard let sequence = node.sequence else {
            throw NotifierConfigurationError("\(what) must be a list", at: location(node))
        }
        return Array(sequence)
    }

    func string(_ node: Node, what: String) throws -> String {
        guard let text = node.scalar?.string, !text.isEmpty else {
            throw NotifierConfigurationError("\(what) must be a non-empty text value", at: location(node))
        }
        return text
    }

    func integer(_ node: Node, what: String) throws -> Int {
        guard let text = node.scalar?.string, let value = Int(text) else {
            throw NotifierConfigurationError("\(what) must be a whole number", at: location(node))
        }
        return value
    }

    func duration(_ node: Node, what: String) throws -> TimeInterval {
        guard let text = node.scalar?.string, let seconds = parseTimeout(text) else {
            throw NotifierConfigurationError(
                "\(what) must be a duration like 5s, 2m or 1h", at: location(node), hint: "e.g. `\(what): 5s`")
        }
        return seconds
    }

    func unknownKey(_ key: String, node: Node, allowed: [String]) -> NotifierConfigurationError {
        if let replacement = NotifierConfiguration.literalSecretKeys[key] {
            return literalSecret(key: key, node: node, replacement: replacement)
        }
        return NotifierConfigurationError(
            "unknown key `\(key)`", at: location(node), hint: "known keys here: " + allowed.joined(separator: ", "))
    }

    func literalSecret(key: String, node: Node, replacement: String) -> NotifierConfigurationError {
        NotifierConfigurationError(
            "`\(key)` would put a secret in the file; secrets are read from environment variables only",
            at: location(node),
            hint: "write `\(replacement): SOME_VARIABLE` and export the secret in that variable")
    }

    /// An environment variable name; a value that looks like the secret itself is refused.
    func variableName(_ node: Node, key: String) throws -> String {
        let name = try string(node, what: key)
        let looksLikeName =
            name.range(of: "^[A-Za-z_][A-Za-z0-9_]*$", options: .regularExpression) != nil
            && !(name.count >= 20 && name.range(of: "^[0-9a-fA-F]+$", options: .regularExpression) != nil)
            && !(name.count >= 24 && name.range(of: "[0-9]", options: .regularExpression) != nil
                && name.range(of: "[a-z]", options: .regularExpression) != nil
                && name.range(of: "[A-Z]", options: .regularExpression) != nil)
        guard looksLikeName else {
            throw NotifierConfigurationError(
                "`\(key)` must name an environment variable, and this looks like the secret itself",
                at: location(node),
                hint: "write `\(key): SOME_VARIABLE`, export the secret in SOME_VARIABLE, and rotate the secret "
                    + "if this file was shared")
        }
        return name
    }

    func kinds(_ node: Node?) throws -> Set<EscalationNotification.Kind> {
        guard let node else { return Set(EscalationNotification.Kind.allCases) }
        return Set(
            try sequence(node, what: "notify_on").map { item in
                let text = try string(item, what: "notify_on")
                guard let kind = EscalationNotification.Kind(rawValue: text) else {
                    throw NotifierConfigurationError(
                        "unknown notification kind `\(text)`", at: location(item),
                        hint: "use escalation, severity_upgrade, acknowledge, resolve")
                }
                return kind
            })
    }

    /// `drills: true|false` (default false: drills are shown in the terminal only).
    func drills(_ node: Node?) throws -> Bool {
        guard let node else { return false }
        guard let text = node.scalar?.string, let value = ["true": true, "false": false][text] else {
            throw NotifierConfigurationError(
                "drills must be true or false", at: location(node),
                hint: "write `drills: true` to deliver drills to this channel too")
        }
        return value
    }

    func channel(_ node: Node) throws -> NotifierConfiguration.Channel {
        let entries = try mapping(node, what: "a notifier")
        var fields: [String: Node] = [:]
        for (key, value) in entries { fields[key] = value }
        guard let typeNode = fields["type"] else {
            throw NotifierConfigurationError(
                "a notifier has no `type`", at: location(node), hint: "use type: slack, pagerduty or exec")
        }
        let type = try string(typeNode, what: "type")
        let name = try fields["name"].map { try string($0, what: "name") } ?? type
        let allowed: [String]
        let channel: NotifierConfiguration.Channel
        switch type {
        case "slack":
            allowed = ["type", "name", "url_env", "notify_on", "drills"]
            try rejectUnknown(entries, allowed: allowed)
            guard let variable = fields["url_env"] else {
                throw NotifierConfigurationError(
                    "the Slack notifier \"\(name)\" has no `url_env`", at: location(node),
                    hint: "write `url_env: SLACK_WEBHOOK_URL` and export the webhook URL in that variable")
            }
            channel = .slack(
                name: name, urlVariable: try variableName(variable, key: "url_env"),
                kinds: try kinds(fields["notify_on"]), drills: try drills(fields["drills"]))
        case "pagerduty":
            allowed = ["type", "name", "routing_key_env", "endpoint", "dedup_key_prefix", "drills"]
            try rejectUnknown(entries, allowed: allowed)
            guard let variable = fields["routing_key_env"] else {
                throw NotifierConfigurationError(
                    "the PagerDuty notifier \"\(name)\" has no `routing_key_env`", at: location(node),
                    hint: "write `routing_key_env: PAGERDUTY_ROUTING_KEY` and export the routing key in that variable")
            }
            var endpoint = PagerDutyNotifier.defaultEndpoint
            if let node = fields["endpoint"] {
                let text = try string(node, what: "endpoint")
                guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme),
                    url.host != nil
                else {
                    throw NotifierConfigurationError("endpoint `\(text)` is not an http(s) URL", at: location(node))
                }
                endpoint = url
            }
            let prefix = try fields["dedup_key_prefix"].map { try string($0, what: "dedup_key_prefix") } ?? "runbook-"
            channel = .pagerDuty(
                name: name, routingKeyVariable: try variableName(variable, key: "routing_key_env"), endpoint: endpoint,
                dedupKeyPrefix: prefix, drills: try drills(fields["drills"]))
        case "exec":
            allowed = ["type", "name", "command", "timeout", "notify_on", "drills"]
            try rejectUnknown(entries, allowed: allowed)
            guard let commandNode = fields["command"] else {
                throw NotifierConfigurationError(
                    "the exec notifier \"\(name)\" has no `command`", at: location(node),
                    hint: "write `command: [path/to/program, --flag]`; it gets the notification as JSON on stdin")
            }
            let command: [String]
            if commandNode.sequence != nil {
                command = try sequence(commandNode, what: "command").map { try string($0, what: "command") }
            } else {
                // A single word is a program; anything with spaces would need a shell, which we never use.
                let word = try string(commandNode, what: "command")
                guard !word.contains(" ") else {
                    throw NotifierConfigurationError(
                        "`command` must be a list of words, not a shell line", at: location(commandNode),
                        hint: "write `command: [\(word.split(separator: " ").joined(separator: ", "))]`")
                }
                command = [word]
            }
            guard !command.isEmpty else {
                throw NotifierConfigurationError("`command` is empty", at: location(commandNode))
            }
            let timeout = try fields["timeout"].map { try duration($0, what: "timeout") }
            channel = .exec(
                name: name, command: command, kinds: try kinds(fields["notify_on"]), timeout: timeout,
                drills: try drills(fields["drills"]))
        default:
            throw NotifierConfigurationError(
                "unknown notifier type `\(type)`", at: location(typeNode),
                hint: "use slack, pagerduty or exec (the terminal is always on)")
        }
        return channel
    }

    func rejectUnknown(_ entries: [(String, Node)], allowed: [String]) throws {
        for (key, value) in entries where !allowed.contains(key) {
            throw unknownKey(key, node: value, allowed: allowed)
        }
    }

    func retry(_ node: Node) throws -> RetryPolicy {
        var policy = RetryPolicy()
        for (key, value) in try mapping(node, what: "retry") {
            switch key {
            case "max_attempts":
                let count = try integer(value, what: "max_attempts")
                guard count >= 1 else {
                    throw NotifierConfigurationError("max_attempts must be at least 1", at: location(value))
                }
                policy.maxAttempts = count
            case "initial_backoff": policy.initialBackoff = try duration(value, what: "initial_backoff")
            case "max_backoff": policy.maxBackoff = try duration(value, what: "max_backoff")
            case "give_up_after": policy.giveUpAfter = try duration(value, what: "give_up_after")
            default:
                throw unknownKey(
                    key, node: value, allowed: ["max_attempts", "initial_backoff", "max_backoff", "give_up_after"])
            }
        }
        return RetryPolicy(
            maxAttempts: policy.maxAttempts, initialBackoff: policy.initialBackoff, maxBackoff: policy.maxBackoff,
            giveUpAfter: policy.giveUpAfter, jitter: policy.jitter)
    }

    static let weekdays = ["sun": 1, "mon": 2, "tue": 3, "wed": 4, "thu": 5, "fri": 6, "sat": 7]

    func calendar(_ node: Node) throws -> BusinessCalendar {
        var calendar = BusinessCalendar()
        for (key, value) in try mapping(node, what: "calendar") {
            switch key {
            case "time_zone":
                let name = try string(value, what: "time_zone")
                guard let zone = TimeZone(identifier: name) else {
                    throw NotifierConfigurationError(
                        "unknown time zone `\(name)`", at: location(value),
                        hint: "use an IANA name such as Europe/London or America/New_York")
                }
                calendar.timeZone = zone
            case "working_days":
                calendar.workingWeekdays = Set(
                    try sequence(value, what: "working_days").map { item in
                        let text = try string(item, what: "working_days").lowercased()
                        guard let day = YAMLReader.weekdays[String(text.prefix(3))] else {
                            throw NotifierConfigurationError(
                                "unknown weekday `\(text)`", at: location(item),
                                hint: "use mon, tue, wed, thu, fri, sat, sun")
                        }
                        return day
                    })
            case "working_hours":
                let text = try string(value, what: "working_hours")
                let parts = text.split(separator: "-").map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, let open = minutes(parts[0]), let close = minutes(parts[1]), open < close else {
                    throw NotifierConfigurationError(
                        "working_hours `\(text)` is not a window like 09:00-17:00", at: location(value))
                }
                calendar.openingMinute = open
                calendar.closingMinute = close
            case "holidays":
                calendar.holidays = Set(
                    try sequence(value, what: "holidays").map { item in
                        let text = try string(item, what: "holidays")
                        guard let date = BusinessCalendar.LocalDate(parsing: text) else {
                            throw NotifierConfigurationError(
                                "holiday `\(text)` is not a date like 2026-12-25", at: location(item))
                        }
                        return date
                    })
            default:
                throw unknownKey(key, node: value, allowed: ["time_zone", "working_days", "working_hours", "holidays"])
            }
        }
        guard calendar.isUsable else {
            throw NotifierConfigurationError(
                "the calendar has no working time", at: location(node), hint: "give at least one working day")
        }
        return calendar
    }

    /// `09:00` → 540; `24:00` is allowed as a closing time.
    func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let hours = Int(parts[0]), let minutes = Int(parts[1]), (0...59).contains(minutes),
            (0...24).contains(hours), hours * 60 + minutes <= 24 * 60
        else { return nil }
        return hours * 60 + minutes
    }
}
