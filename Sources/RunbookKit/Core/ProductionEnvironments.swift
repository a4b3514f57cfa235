import Foundation
import Yams

/// Which environments are production: the class that needs typed confirmation for destructive steps and that drills
/// never run in.
///
/// By default `production`, `prod`, `prd` and `live`; a runbooks directory adds its own in `environments.yaml`:
///
/// ```yaml
/// production_environments: [prod-eu, customer-facing]
/// ```
///
/// Names are compared with `EnvironmentName` (case and surrounding white space do not matter). The defaults cannot
/// be removed: the file only adds.
public struct ProductionEnvironments: Sendable, Hashable {
    /// The production environments every runbooks directory has.
    public static let defaultNames = ["production", "prod", "prd", "live"]
    /// The file, in the runbooks directory, that adds names.
    public static let fileName = "environments.yaml"

    /// The names of the class, normalized, in the order given (defaults first).
    public let names: [String]

    /// The defaults plus `additional`.
    public init(adding additional: [String] = []) {
        var names: [String] = []
        for name in (Self.defaultNames + additional).map(EnvironmentName.normalized)
        where !name.isEmpty && !names.contains(name) {
            names.append(name)
        }
        self.names = names
    }

    /// Whether `environment` is a production environment.
    public func contains(_ environment: String) -> Bool {
        names.contains(EnvironmentName.normalized(environment))
    }

    /// The class of `runbooksDirectory`: the defaults plus its `environments.yaml`, when there is one.
    public static func load(runbooksDirectory: String) throws -> ProductionEnvironments {
        let path = (runbooksDirectory as NSString).appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: path) else { return ProductionEnvironments() }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else {
            throw ProductionEnvironmentsError(
                "cannot read \(path) as UTF-8 text", location: nil, hint: "check the file's permissions and encoding")
        }
        return try ProductionEnvironments(yaml: text, path: path)
    }

    /// Parses the text of `environments.yaml`; `path` is used in error locations.
    public init(yaml text: String, path: String) throws {
        let example = "write production_environments: [prod-eu, customer-facing]"
        let root: Node?
        do {
            root = try YAMLText.compose(text, path: path)
        } catch {
            throw ProductionEnvironmentsError(
                "\(path) is not valid YAML: \(error.problem)", location: error.location, hint: example)
        }
        func location(_ node: Node) -> SourceLocation? {
            node.mark.map { SourceLocation(file: path, line: $0.line, column: $0.column) }
        }
        guard let root else {
            self.init()
            return
        }
        guard let mapping = root.mapping else {
            throw ProductionEnvironmentsError(
                "the top level must be a mapping of keys to values", location: location(root), hint: example)
        }
        var additional: [String] = []
        for (key, value) in mapping {
            guard key.string == "production_environments" else {
                throw ProductionEnvironmentsError(
                    "unknown key `\(key.string ?? "")`", location: location(key),
                    hint: "the only key is production_environments")
            }
            guard let sequence = value.sequence else {
                throw ProductionEnvironmentsError(
                    "`production_environments` must be a list of names", location: location(value), hint: example)
            }
            for item in sequence {
                guard let name = item.scalar?.string, !EnvironmentName.normalized(name).isEmpty else {
                    throw ProductionEnvironmentsError(
                        "an environment name must be non-empty text", location: location(item), hint: example)
                }
                additional.append(name)
            }
        }
        self.init(adding: additional)
    }
}

/// `environments.yaml` is unreadable or wrong.
public struct ProductionEnvironmentsError: UserFacingError, Equatable {
    public var summary: String
    public var location: SourceLocation?
    public var hint: String?
    public var exitStatus: ExitStatus { .usage }

    /// An error saying `summary`, at `location`, with `hint`.
    public init(_ summary: String, location: SourceLocation?, hint: String?) {
        self.summary = summary
        self.location = location
        self.hint = hint
    }
}
