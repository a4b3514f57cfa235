import Foundation
import Testing

@testable import RunbookKit

/// The one reader of configuration files: typed values out of YAML nodes, every error at its file:line:col.
@Suite struct ConfigurationReaderTests {
    /// The error `read` throws for `yaml` read from `c.yaml`.
    private func error(
        _ yaml: String, _ read: (ConfigurationReader) throws(ConfigurationError) -> Void
    ) throws -> ConfigurationError {
        try #require(throws: ConfigurationError.self) {
            try read(try ConfigurationReader(yaml: yaml, path: "c.yaml"))
        }
    }

    private func at(_ line: Int, _ column: Int) -> RunbookKit.SourceLocation {
        RunbookKit.SourceLocation(file: "c.yaml", line: line, column: column)
    }

    @Test func crlfLineEndingsGiveTheSameLocations() throws {
        let lines = ["# limits", "retry:", "  max_attempts: 3", "  colour: red", "items: [a, b]", ""]
        for separator in ["\n", "\r\n"] {
            let unknown = try error(lines.joined(separator: separator)) { reader throws(ConfigurationError) in
                let top = try reader.topLevel(allowed: ["retry", "items"])
                _ = try reader.mapping(top["retry"]!, what: "`retry`", allowed: ["max_attempts"])
            }
            #expect(unknown.location == at(4, 3), "\(separator.debugDescription)")
            #expect(unknown.summary == "unknown key `colour` in `retry`")
            #expect(unknown.hint == "known keys here: max_attempts")
            let notText = try error(lines.joined(separator: separator)) { reader throws(ConfigurationError) in
                _ = try reader.string(try reader.topLevel(allowed: ["retry", "items"])["items"]!, what: "`items`")
            }
            #expect(notText.location == at(5, 8), "\(separator.debugDescription)")
            #expect(notText.summary == "`items` must be non-empty text")
        }
    }

    @Test func anEmptyFileHasNoKeysAndAMissingKeyIsReportedAtItsFirstLine() throws {
        for yaml in ["", "\n", "# only a comment\n"] {
            let reader = try ConfigurationReader(yaml: yaml, path: "c.yaml")
            #expect(try reader.topLevel(allowed: ["title"]).entries.isEmpty)
            let missing = try error(yaml) { reader throws(ConfigurationError) in
                _ = try reader.required(
                    "title", in: reader.topLevel(allowed: ["title"]), what: "the scenario", hint: "add `title: x`")
            }
            #expect(missing.location == at(1, 1))
            #expect(missing.description.hasPrefix("c.yaml:1:1: error: the scenario has no `title`"))
            #expect(missing.exitStatus == .usage)
        }
    }

    @Test func aKeyWithTrailingSpacesIsTheKeyAndAnUnknownOneIsReportedAtItsStart() throws {
        let yaml = "title   : Drill\nrepeats \t: 3\nspeed  : 60\n"
        let reader = try ConfigurationReader(yaml: yaml, path: "c.yaml")
        let top = try reader.topLevel(allowed: ["title", "repeats", "speed"])
        #expect(top.entries.map(\.key) == ["title", "repeats", "speed"])
        #expect(try reader.string(top["title"]!, what: "`title`") == "Drill")
        #expect(try reader.integer(top["repeats"]!, what: "`repeats`") == 3)
        let unknown = try error(yaml) { reader throws(ConfigurationError) in
            _ = try reader.topLevel(allowed: ["title", "repeats"])
        }
        #expect(unknown.location == at(3, 1))
        #expect(unknown.summary == "unknown key `speed` in c.yaml")
    }

    @Test func aMappingWhereAListIsExpectedIsReportedAtTheMapping() throws {
        let yaml = "rules:\n  name: x\n  pattern: y\n"
        let notAList = try error(yaml) { reader throws(ConfigurationError) in
            _ = try reader.sequence(
                reader.topLevel(allowed: ["rules"])["rules"]!, what: "`rules`", hint: "write a list")
        }
        #expect(notAList.location == at(2, 3))
        #expect(notAList.description == "c.yaml:2:3: error: `rules` must be a list\n  hint: write a list")
    }

    @Test func aListWhereAMappingIsExpectedAndBadScalarsAreReportedAtTheirValue() throws {
        let notAMapping = try error("- a\n- b\n") { reader throws(ConfigurationError) in
            _ = try reader.topLevel(allowed: [])
        }
        #expect(notAMapping.location == at(1, 1))
        #expect(notAMapping.summary == "c.yaml must be a mapping of keys to values")
        let yaml = "drills: yes\nrepeats: 2.5\nname: \"  \"\n"
        let cases:
            [(Int, String, (ConfigurationReader, ConfigurationReader.Mapping) throws(ConfigurationError) -> Void)] = [
                (
                    1, "`drills` must be true or false",
                    { reader, top throws(ConfigurationError) in
                        _ = try reader.boolean(top["drills"]!, what: "`drills`")
                    }
                ),
                (
                    2, "`repeats` must be a whole number",
                    { reader, top throws(ConfigurationError) in
                        _ = try reader.integer(top["repeats"]!, what: "`repeats`")
                    }
                ),
                (
                    3, "`name` must be non-empty text",
                    { reader, top throws(ConfigurationError) in
                        _ = try reader.string(top["name"]!, what: "`name`")
                    }
                ),
            ]
        for (line, summary, read) in cases {
            let problem = try error(yaml) { reader throws(ConfigurationError) in
                try read(reader, try reader.topLevel(allowed: ["drills", "repeats", "name"]))
            }
            #expect(problem.location == at(line, line == 3 ? 7 : line == 1 ? 9 : 10))
            #expect(problem.summary == summary)
        }
    }

    @Test func aSyntaxErrorIsReportedAtItsPlaceWithTheCallersHint() throws {
        let problem = try #require(throws: ConfigurationError.self) {
            try ConfigurationReader(yaml: "a: 1\nb: [unclosed\n", path: "dir/c.yaml", hint: "check the brackets")
        }
        #expect(problem.summary.hasPrefix("c.yaml is not valid YAML: "))
        #expect(problem.location?.file == "dir/c.yaml")
        #expect(problem.location?.line == 3)
        #expect(problem.hint == "check the brackets")
    }
}
