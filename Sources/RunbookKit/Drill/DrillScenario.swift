import Foundation

/// A drill scenario file (`runbooks/simulator/scenarios/outage.yaml`): which runbook, environment, severity and
/// simulation a drill uses, and its timed injects. The format is documented in docs/drills.md.
public struct DrillScenario: Sendable, Hashable {
    /// The incident title.
    public var title: String
    /// The runbook the drill starts with.
    public var runbook: String
    /// The environment; never production.
    public var environment: String
    /// The severity declared.
    public var severity: Severity
    /// The simulator scenario (`outage`, `database`, `high-load`).
    public var simulate: String
    /// Timed injects, in time order.
    public var injects: [DrillInject]

    /// Creates a scenario.
    public init(
        title: String, runbook: String, environment: String, severity: Severity, simulate: String,
        injects: [DrillInject]
    ) {
        self.title = title
        self.runbook = runbook
        self.environment = environment
        self.severity = severity
        self.simulate = simulate
        self.injects = injects
    }

    static let keys = ["title", "runbook", "environment", "severity", "simulate", "injects"]

    /// Reads and checks the scenario file at `path`; an environment of the `production` class is refused.
    public static func load(
        path: String, production: ProductionEnvironments = ProductionEnvironments()
    ) throws -> DrillScenario {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw DrillError.unreadableScenario(path: path, reason: "no such file, or not UTF-8 text")
        }
        return try parse(yaml: text, path: path, production: production)
    }

    /// Parses scenario YAML; `path` only names the file in errors. A problem in the file is a
    /// `ConfigurationError`; a production environment is `DrillError.productionInScenario`.
    public static func parse(
        yaml: String, path: String, production: ProductionEnvironments = ProductionEnvironments()
    ) throws -> DrillScenario {
        let reader = try ConfigurationReader(
            yaml: yaml, path: path, hint: "check indentation and quoting; messages containing `:` need quotes")
        let values = try reader.topLevel(allowed: keys, hint: "start from runbooks/simulator/scenarios/outage.yaml")
        func text(_ key: String, hint: String) throws -> String {
            let node = try reader.required(key, in: values, what: "the scenario", hint: "add `\(hint)`")
            return try reader.string(node, what: "`\(key)`", hint: "write `\(hint)`")
        }
        let title = try text("title", hint: "title: \"Drill: the API is down\"")
        let runbook = try text("runbook", hint: "runbook: triage")
        let environment = try text("environment", hint: "environment: staging")
        if production.contains(environment) {
            throw DrillError.productionInScenario(
                environment: EnvironmentName.trimmed(environment), location: reader.location(values["environment"]))
        }
        let severityText = try text("severity", hint: "severity: P1")
        guard let severity = Severity(parsing: severityText) else {
            throw reader.error(
                "severity `\(severityText)` is not P0, P1, P2 or P3", at: values["severity"],
                hint: "write `severity: P1`")
        }
        let simulate = try text("simulate", hint: "simulate: outage")
        let injectsNode = try reader.required(
            "injects", in: values, what: "the scenario", hint: "add `injects: []` or a list of `- at: 2m` entries")
        var injects: [DrillInject] = []
        for entry in try reader.sequence(
            injectsNode, what: "`injects`", hint: "write `injects:` then `  - at: 2m` and `    message: \"…\"`")
        {
            let fields = try reader.mapping(
                entry, what: "an inject", allowed: ["at", "message"], hint: "write `- at: 2m` then `  message: \"…\"`")
            let timeHint = "write at: 0s, 30s, 2m or 1h30m (drill time since the start)"
            let atNode = try reader.required("at", in: fields, what: "the inject", hint: timeHint)
            guard let time = (atNode.scalar?.string).flatMap(parseDrillTime) else {
                throw reader.error(
                    "inject time `\(atNode.scalar?.string ?? "")` is not a drill time", at: atNode, hint: timeHint)
            }
            let messageNode = try reader.required(
                "message", in: fields, what: "the inject", hint: "add `message: \"…\"`")
            let message = try reader.string(messageNode, what: "`message`", hint: "write `message: \"…\"`")
            if let previous = injects.last, time < previous.at {
                throw reader.error(
                    "injects must be in time order: \(DrillInject.duration(time)) comes after "
                        + DrillInject.duration(previous.at), at: atNode, hint: "move this inject up the list")
            }
            injects.append(DrillInject(at: time, message: message))
        }
        return DrillScenario(
            title: title, runbook: runbook, environment: environment, severity: severity, simulate: simulate,
            injects: injects)
    }

    /// A drill time: the step-timeout syntax (`30s`, `2m`, `1h30m`), plus `0`/`0s` for an inject at the start.
    public static func parseDrillTime(_ text: String) -> TimeInterval? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if ["0", "0s", "0m", "0h"].contains(trimmed) { return 0 }
        return parseTimeout(trimmed)
    }
}
