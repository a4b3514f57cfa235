import Foundation
import Yams

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

    /// Parses scenario YAML; `path` only names the file in errors.
    public static func parse(
        yaml: String, path: String, production: ProductionEnvironments = ProductionEnvironments()
    ) throws -> DrillScenario {
        func at(_ node: Node?) -> SourceLocation { YAMLText.location(node, path: path) }
        func invalid(_ problem: String, _ node: Node?, _ hint: String) -> DrillError {
            .invalidScenario(problem, location: at(node), hint: hint)
        }
        let root: Node?
        do {
            root = try YAMLText.compose(yaml, path: path)
        } catch {
            throw DrillError.invalidScenario(
                "the scenario is not valid YAML: \(error.problem)", location: error.location,
                hint: "check indentation and quoting; messages containing `:` need quotes")
        }
        guard let mapping = root?.mapping else {
            throw invalid(
                "a scenario must be a mapping of keys to values", root,
                "start from runbooks/simulator/scenarios/outage.yaml")
        }
        var values: [String: Node] = [:]
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? ""
            guard keys.contains(key) else {
                throw invalid(
                    "unknown key `\(key)` in the scenario", keyNode, "the keys are " + keys.joined(separator: ", "))
            }
            values[key] = value
        }
        func text(_ key: String, hint: String) throws -> String {
            guard let node = values[key] else {
                throw invalid("the scenario has no `\(key)`", root, "add `\(hint)`")
            }
            guard let string = node.scalar?.string, !string.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw invalid("`\(key)` must be text", node, "write `\(hint)`")
            }
            return string
        }
        let title = try text("title", hint: "title: \"Drill: the API is down\"")
        let runbook = try text("runbook", hint: "runbook: triage")
        let environment = try text("environment", hint: "environment: staging")
        if production.contains(environment) {
            throw DrillError.productionInScenario(
                environment: EnvironmentName.trimmed(environment), location: at(values["environment"]))
        }
        let severityText = try text("severity", hint: "severity: P1")
        guard let severity = Severity(parsing: severityText) else {
            throw invalid(
                "severity `\(severityText)` is not P0, P1, P2 or P3", values["severity"], "write `severity: P1`")
        }
        let simulate = try text("simulate", hint: "simulate: outage")
        guard let injectsNode = values["injects"] else {
            throw invalid("the scenario has no `injects`", root, "add `injects: []` or a list of `- at: 2m` entries")
        }
        guard let sequence = injectsNode.sequence else {
            throw invalid(
                "`injects` must be a list", injectsNode, "write `injects:` then `  - at: 2m` and `    message: \"…\"`")
        }
        var injects: [DrillInject] = []
        for entry in sequence {
            guard let fields = entry.mapping else {
                throw invalid(
                    "each inject must have `at` and `message`", entry, "write `- at: 2m` then `  message: \"…\"`")
            }
            var atNode: Node?
            var messageNode: Node?
            for (keyNode, value) in fields {
                switch keyNode.string {
                case "at": atNode = value
                case "message": messageNode = value
                default:
                    throw invalid(
                        "unknown inject key `\(keyNode.string ?? "")`", keyNode, "an inject has only `at` and `message`"
                    )
                }
            }
            guard let atNode, let atText = atNode.scalar?.string, let time = parseDrillTime(atText) else {
                throw invalid(
                    "inject time `\(atNode?.scalar?.string ?? "")` is not a drill time", atNode ?? entry,
                    "write at: 0s, 30s, 2m or 1h30m (drill time since the start)")
            }
            guard let messageNode, let message = messageNode.scalar?.string, !message.isEmpty else {
                throw invalid("the inject has no message", messageNode ?? entry, "add `message: \"…\"`")
            }
            if let previous = injects.last, time < previous.at {
                throw invalid(
                    "injects must be in time order: \(DrillInject.duration(time)) comes after "
                        + DrillInject.duration(previous.at), atNode, "move this inject up the list")
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
