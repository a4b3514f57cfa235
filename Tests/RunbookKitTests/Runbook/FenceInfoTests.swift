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

    @Test func jsonAttributesAreReadAndNameIsAnAliasOfID() {
        let info = FenceInfo(
            parsing: #"sh {"name":"check-pods","risk":"destructive","interactive":true,"expect":[0,2]}"#)
        #expect(info.problems.isEmpty)
        #expect(info.attributes.id == "check-pods")
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
        let info = FenceInfo(parsing: "bash {id=a name=b}")
        #expect(info.problems.map(\.severity) == [.warning])
        #expect(info.attributes.id == "b")
    }
}
