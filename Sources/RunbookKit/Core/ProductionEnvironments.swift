import Foundation

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
            throw ConfigurationError(
                "cannot read \(path) as UTF-8 text", hint: "check the file's permissions and encoding")
        }
        return try ProductionEnvironments(yaml: text, path: path)
    }

    /// Parses the text of `environments.yaml`; `path` is used in error locations.
    public init(yaml text: String, path: String) throws {
        let example = "write production_environments: [prod-eu, customer-facing]"
        let reader = try ConfigurationReader(yaml: text, path: path, hint: example)
        let top = try reader.topLevel(allowed: ["production_environments"], hint: example)
        let additional = try top["production_environments"].map { list in
            try reader.sequence(list, what: "`production_environments`", hint: example).map {
                try reader.string($0, what: "an environment name", hint: example)
            }
        }
        self.init(adding: additional ?? [])
    }
}
