import Foundation
import RunbookTestSupport
import Testing

@testable import RunbookKit

/// A runbook someone else wrote reads `$NS` without declaring it: the session asks for it rather than run
/// `oc -n "" …` with it empty, unless the environment has it or the command says what to do when it is unset.
@Suite struct UndeclaredVariableTests {
    func session(_ command: String, environment: [String: String] = [:]) throws -> (
        IncidentSession, SessionFixtures.Harness
    ) {
        let text =
            "---\nenvironments: [staging]\n---\n# Undeclared\n\n## Look\n\n```bash {id=look risk=read}\n\(command)\n```\n"
        let runbook = try RunbookParser.parseWithDiagnostics(data: Data(text.utf8), path: "undeclared.md").runbook
        var harness = SessionFixtures.Harness()
        harness.loader = InMemoryRunbookLoader([runbook])
        var dependencies = harness.dependencies
        dependencies.baseEnvironment.merge(environment) { _, new in new }
        let session = try IncidentSession.start(
            IncidentStart(runbookID: runbook.id, environment: "staging", host: "bastion", user: "alice"),
            dependencies: dependencies)
        try session.showCurrent()
        return (session, harness)
    }

    @Test func anUndeclaredVariableWithoutAFallbackIsAskedFor() throws {
        let (session, _) = try session(#"oc -n "$NS" get pods; echo "${MODE:-fast}" "${#NS}" "$HOME""#)
        let missing = session.missingVariablesForCurrentStep
        #expect(missing.map(\.name) == ["NS"])
        #expect(missing.first?.prompt == "NS (not declared by the runbook; this step reads it)")
        #expect(missing.first?.secret == false)
    }

    @Test func oneTheEnvironmentHasOrTheCommandSetsIsNot() throws {
        #expect(
            try session(#"oc -n "$NS" get pods"#, environment: ["NS": "x"]).0.missingVariablesForCurrentStep.isEmpty)
        #expect(try session(#"NS=x; echo "$NS""#).0.missingVariablesForCurrentStep.isEmpty)
        #expect(try session(#"echo "${NS-unset}" "${NS:=d}""#).0.missingVariablesForCurrentStep.isEmpty)
    }

    @Test func aSecretLookingOneIsAskedWithoutEchoAndNeverStored() throws {
        let (session, harness) = try session(#"curl -H "Authorization: $API_TOKEN" https://x"#)
        #expect(session.missingVariablesForCurrentStep.map(\.secret) == [true])
        try session.setVariable("API_TOKEN", to: "tok-123-plain", source: "prompt")
        let set = try #require(try harness.events(session).first { $0.type == .variableSet })
        #expect(set.payload["secret"] == true)
        #expect(set.payload["value"] == nil)
        #expect(session.missingVariablesForCurrentStep.isEmpty)
    }

    @Test func namesWithoutFallbackSkipThoseWithOne() {
        #expect(
            VariableReferences.namesWithoutFallback(in: #"echo $A ${B:-x} ${C-x} ${D+x} ${E:?x} ${F=x} ${#G} ${B}"#)
                == ["A", "G", "B"])
    }
}
