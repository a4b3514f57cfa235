import Foundation
import RunbookKit
import Testing

@Suite struct FenceInfoTests {
    @Test func keyValueAttributesAreRead() {
        let info = FenceInfo(
            parsing: "bash {id=check-pods risk=read timeout=30s expect=0,1 capture=POD env=production,staging}")
        #expect(info.language == "bash")
        #expect(info.isStep)
        #expect(info.problems.isEmpty)
        #expect(info.attributes.id == "check-pods")
        #expect(info.attributes.risk == .read)
        #expect(info.attributes.timeout == 30)
        #expect(info.attributes.expect == [0, 1])
        #expect(info.attributes.capture == "POD")
        #expect(info.attributes.environments == ["production", "staging"])
    }

    @Test func jsonAttributesAreReadAndNameIsItsOwnKey() {
        let info = FenceInfo(
            parsing: #"sh {"name":"check-pods","risk":"destructive","interactive":true,"expect":[0,2]}"#)
        #expect(info.problems.isEmpty)
        #expect(info.attributes.name == "check-pods")
        #expect(info.attributes.id == nil)
        #expect(info.attributes.risk == .destructive)
        #expect(info.attributes.interactive)
        #expect(info.attributes.expect == [0, 2])
    }

    @Test func quotedValuesAndBareFlags() {
        let info = FenceInfo(
            parsing: #"zsh {on-fail="rollback.md#helm-rollback" cwd='/srv/app' interactive ignore=false}"#)
        #expect(info.problems.isEmpty)
        #expect(info.attributes.onFail == "rollback.md#helm-rollback")
        #expect(info.attributes.cwd == "/srv/app")
        #expect(info.attributes.interactive)
        #expect(!info.attributes.ignore)
    }

    @Test func defaultsWhenNoAttributes() {
        let info = FenceInfo(parsing: "console")
        #expect(info.isStep)
        #expect(!info.hasAttributes)
        #expect(info.attributes.risk == .change)
        #expect(info.attributes.expect == [0])
    }

    @Test func otherLanguagesAreNotSteps() {
        #expect(!FenceInfo(parsing: "yaml").isStep)
        #expect(!FenceInfo(parsing: "").isStep)
        #expect(!FenceInfo(parsing: "bash {ignore}").isStep)
    }

    @Test func badTimeoutIsAnErrorAtItsOffset() throws {
        let text = "bash {id=x timeout=5x}"
        let info = FenceInfo(parsing: text)
        let problem = try #require(info.problems.first)
        #expect(problem.severity == .error)
        #expect(problem.message.contains("timeout `5x`"))
        #expect(problem.offset == 11)
    }

    @Test func unknownAttributeSuggestsTheCloseSpelling() throws {
        let info = FenceInfo(parsing: "bash {timout=5s}")
        let problem = try #require(info.problems.first)
        #expect(problem.message == "unknown attribute `timout`")
        #expect(problem.severity == .warning)
        #expect(problem.hint?.contains("did you mean `timeout`") == true)
    }

    @Test func badValuesAreErrors() {
        #expect(FenceInfo(parsing: "bash {risk=scary}").problems.first?.message == "unknown risk `scary`")
        #expect(FenceInfo(parsing: "bash {expect=zero}").problems.count == 1)
        #expect(FenceInfo(parsing: "bash {expect=256}").problems.count == 1)
        #expect(FenceInfo(parsing: "bash {capture=1abc}").problems.count == 1)
        #expect(FenceInfo(parsing: "bash {interactive=maybe}").problems.count == 1)
        #expect(FenceInfo(parsing: "bash {id=x").problems.first?.message == "attribute block is not closed")
        #expect(FenceInfo(parsing: #"bash {"id": }"#).problems.first?.message == "attribute block is not valid JSON")
    }

    @Test func repeatedAttributeIsAWarning() {
        let info = FenceInfo(parsing: "bash {id=a id=b}")
        #expect(info.problems.map(\.severity) == [.warning])
        #expect(info.attributes.id == "b")
    }

    @Test func runmeIDAndNameAreTwoKeysSoBothGiveNoWarning() {
        let info = FenceInfo(parsing: #"bash {"id":"01HX3R5A2B3C4D5E6F7G8H9J0K","name":"list-keys"}"#)
        #expect(info.problems.isEmpty)
        #expect(info.attributes.id == "01HX3R5A2B3C4D5E6F7G8H9J0K")
        #expect(info.attributes.name == "list-keys")
    }

    @Test func everyRunmeAttributeIsKnown() {
        let info = FenceInfo(
            parsing:
                "bash {background promptEnv=auto closeTerminalOnSuccess=false terminalRows=20 mimeType=text/plain interpreter=/bin/zsh category=triage,cache tag=cache excludeFromRunAll transform=false}"
        )
        #expect(info.problems.isEmpty, "\(info.problems)")
        #expect(info.isStep)
        #expect(info.attributes.background)
        #expect(info.attributes.promptEnv == "auto")
        #expect(info.attributes.shell == "/bin/zsh")
        #expect(info.attributes.tags == ["triage", "cache"])
        #expect(
            info.attributes.recorded.map { "\($0.key)=\($0.value)" } == [
                "closeTerminalOnSuccess=false", "terminalRows=20", "mimeType=text/plain", "interpreter=/bin/zsh",
                "excludeFromRunAll=true", "transform=false",
            ])
    }

    @Test func interpreterThatIsNotAShellIsRecordedOnly() {
        let info = FenceInfo(parsing: "bash {interpreter=python3}")
        #expect(info.problems.isEmpty)
        #expect(info.attributes.shell == nil)
        #expect(info.attributes.recorded.map(\.key) == ["interpreter"])
    }

    @Test func excludeFromRunmeIsNotAStep() {
        #expect(!FenceInfo(parsing: "bash {excludeFromRunme=true}").isStep)
        #expect(!FenceInfo(parsing: #"sh {"excludeFromRunme":true}"#).isStep)
        #expect(FenceInfo(parsing: "bash {excludeFromRunme=false}").isStep)
    }

    @Test func runmeJSONWithStringBooleansStillWorks() {
        let info = FenceInfo(parsing: #"sh {"name":"x","interactive":"false","background":"true"}"#)
        #expect(info.problems.isEmpty)
        #expect(!info.attributes.interactive)
        #expect(info.attributes.background)
    }

    @Test func unknownAttributeIsAWarningNotARefusal() throws {
        let info = FenceInfo(parsing: "bash {id=x frobnicate=3}")
        #expect(info.problems.map(\.severity) == [.warning])
        #expect(info.attributes.id == "x")
        let runbook = try RunbookParser.parse(
            data: Data("# T\n\n```bash {id=x frobnicate=3}\necho hi\n```\n".utf8), path: "t.md")
        #expect(runbook.steps.map(\.id) == ["x"])
    }
}
