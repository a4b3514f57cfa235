import Foundation
import Yams

/// The configuration of `runbook serve` (`--config FILE`, docs/serve.md): where it listens, where its bearer
/// token is, and how an Alertmanager alert becomes an incident (the severity label and its mapping, the
/// environment). Every key is optional; an absent file means the defaults.
public struct ServeConfiguration: Sendable, Equatable {
    /// `ADDR:PORT` to listen on; `--listen` wins over it.
    public var listen: String?
    /// The file holding the bearer token (its first line); `$RUNBOOK_SERVE_TOKEN` wins over it.
    public var tokenFile: String?
    /// The alert label that names the severity.
    public var severityLabel = "severity"
    /// Label values to severities, case-insensitively; the defaults with the file's entries over them. A label
    /// value that already is `P0`…`P3` is taken as it is unless the mapping names it.
    public var severities: [String: Severity] = ServeConfiguration.defaultSeverities
    /// The severity of an alert whose label is missing or unmapped.
    public var defaultSeverity: Severity = .p2
    /// The alert label that names the environment.
    public var environmentLabel = "environment"
    /// The environment of an alert without that label.
    public var environment = "production"
    /// Seconds a connection may stay silent (a request's headers sent slowly, an idle keep-alive) before it is
    /// closed.
    public var idleTimeout: TimeInterval = 30
    /// The most live pages (Server-Sent Events streams) open at once; one more is answered 503. Each holds a
    /// connection, and a process has 1,024 descriptors unless raised (`LimitNOFILE`).
    public var maxStreams = ServeConfiguration.defaultMaxStreams

    /// `max_streams` when the file does not say.
    public static let defaultMaxStreams = 500

    /// critical → P1, warning → P2, info → P3 (Prometheus' usual values).
    public static let defaultSeverities: [String: Severity] = ["critical": .p1, "warning": .p2, "info": .p3]

    /// The defaults: loopback, critical P1, warning P2, info P3, others P2, production.
    public init() {}

    /// The severity an alert with these labels has.
    public func severity(labels: [String: String]) -> Severity {
        guard let value = labels[severityLabel]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else {
            return defaultSeverity
        }
        if let mapped = severities[value.lowercased()] { return mapped }
        return Severity(parsing: value) ?? defaultSeverity
    }

    /// The environment an alert with these labels is in.
    public func environment(labels: [String: String]) -> String {
        let value = labels[environmentLabel]?.trimmingCharacters(in: .whitespaces) ?? ""
        return value.isEmpty ? environment : value
    }

    /// Reads the file at `path`: a `ConfigurationError` (exit 2) at file:line:col when it is unreadable or wrong.
    public static func load(path: String) throws -> ServeConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(
                "cannot read the serve configuration \(path)", at: SourceLocation(file: path, line: 1),
                hint: "check the path given to --config, or leave --config out to use the defaults (docs/serve.md)")
        }
        return try ServeConfiguration(yaml: String(decoding: data, as: UTF8.self), path: path)
    }

    static let keys = [
        "listen", "token_file", "severity_label", "severities", "default_severity", "environment_label",
        "environment", "idle_timeout", "max_streams",
    ]

    /// Parses the YAML text of the configuration; `path` is used in error locations.
    public init(yaml text: String, path: String) throws {
        let hint = "compare with the example in docs/serve.md"
        let reader = try ConfigurationReader(yaml: text, path: path, hint: hint)
        self.init()
        for entry in try reader.topLevel(allowed: Self.keys, hint: hint).entries {
            let value = entry.value
            switch entry.key {
            case "listen": listen = try reader.string(value, what: "`listen`")
            case "token_file": tokenFile = try reader.string(value, what: "`token_file`")
            case "severity_label": severityLabel = try reader.string(value, what: "`severity_label`")
            case "environment_label": environmentLabel = try reader.string(value, what: "`environment_label`")
            case "environment": environment = try reader.string(value, what: "`environment`")
            case "default_severity":
                defaultSeverity = try Self.severity(value, reader: reader, what: "default_severity")
            case "idle_timeout":
                guard let text = value.scalar?.string, let seconds = parseTimeout(text), seconds <= 3600 else {
                    throw reader.error(
                        "`idle_timeout` must be a duration up to 1h, like 10s or 2m", at: value,
                        hint: "e.g. `idle_timeout: 30s`")
                }
                idleTimeout = seconds
            case "max_streams":
                guard let text = value.scalar?.string, let count = Int(text), (1...100_000).contains(count) else {
                    throw reader.error(
                        "`max_streams` must be a whole number from 1 to 100000", at: value,
                        hint: "e.g. `max_streams: 500`")
                }
                maxStreams = count
            default:
                for item in try reader.mapping(value, what: "`severities`").entries {
                    severities[item.key.lowercased()] = try Self.severity(
                        item.value, reader: reader, what: "severities.\(item.key)")
                }
            }
        }
    }

    private static func severity(_ node: Yams.Node, reader: ConfigurationReader, what: String) throws -> Severity {
        let text = try reader.string(node, what: "`\(what)`")
        guard let severity = Severity(parsing: text) else {
            throw reader.error("`\(what)` must be P0, P1, P2 or P3, not \(text)", at: node, hint: "e.g. `\(what): P1`")
        }
        return severity
    }
}
