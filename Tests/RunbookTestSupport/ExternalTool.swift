import Foundation

/// Runs a real tool (cmark-gfm, python3, asciinema) from a test, so checks use the parsers people use.
public enum ExternalTool {
    /// Whether `name` is on `PATH`.
    public static func isAvailable(_ name: String) -> Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }
    }

    /// Runs `name` (looked up on `PATH`) with `arguments`, feeding `stdin`, and waits for it.
    public static func run(_ name: String, _ arguments: [String], stdin: Data = Data()) throws -> BuiltBinary.Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [name] + arguments
        return try ProcessRunner.collect(process, stdin: stdin)
    }

    /// The cmark-gfm XML syntax tree of `markdown` (GFM tables on).
    public static func cmarkXML(_ markdown: String) throws -> String {
        try run("cmark-gfm", ["-e", "table", "-t", "xml"], stdin: Data(markdown.utf8)).stdout
    }

    /// Validates `json` against the JSON Schema at `schemaPath` with python3 `jsonschema`; returns the error
    /// text, or `nil` when valid.
    public static func schemaViolations(of json: Data, schemaPath: String) throws -> String? {
        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            jsonschema.Draft202012Validator.check_schema(schema)
            errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(json.load(sys.stdin)), key=str)
            for e in errors[:5]:
                print("/".join(map(str, e.absolute_path)) + ": " + e.message)
            sys.exit(1 if errors else 0)
            """
        let result = try run("python3", ["-c", script, schemaPath], stdin: json)
        return result.status == 0 ? nil : result.stdout + result.stderr
    }
}
