import Foundation
import RunbookKit
import Testing

@Suite struct ProductionEnvironmentsTests {
    @Test func namesCompareWithoutCaseOrSurroundingSpace() {
        #expect(EnvironmentName.same(" Staging\t", "staging"))
        #expect(!EnvironmentName.same("stag ing", "staging"))
        #expect(EnvironmentName.list(["production", "staging"], contains: "PRODUCTION "))
        #expect(EnvironmentName.value(in: ["staging": "ns-staging"], for: " STAGING") == "ns-staging")
    }

    @Test func theDefaultClassIsProductionProdPrdAndLiveInAnySpelling() {
        let production = ProductionEnvironments()
        for name in ["production", "Production", "PROD", "prod", "production ", " prd", "Live"] {
            #expect(production.contains(name), "\(name)")
        }
        for name in ["staging", "preprod", "prod-eu", "development", ""] {
            #expect(!production.contains(name), "\(name)")
        }
    }

    @Test func aRunbooksDirectoryAddsNamesAndCannotRemoveTheDefaults() throws {
        let production = try ProductionEnvironments(
            yaml: "production_environments: [Prod-EU, customer-facing]\n", path: "environments.yaml")
        #expect(production.contains("prod-eu"))
        #expect(production.contains(" Customer-Facing"))
        #expect(production.contains("production"))
        #expect(!production.contains("staging"))
    }

    @Test func aWrongFileSaysWhereAndWhatToWrite() throws {
        let unknown = try #require(throws: ConfigurationError.self) {
            try ProductionEnvironments(yaml: "production: [x]\n", path: "environments.yaml")
        }
        #expect(unknown.description.hasPrefix("environments.yaml:1:1: error: unknown key `production`"))
        let notAList = try #require(throws: ConfigurationError.self) {
            try ProductionEnvironments(yaml: "production_environments: prod-eu\n", path: "environments.yaml")
        }
        #expect(notAList.summary == "`production_environments` must be a list")
        #expect(notAList.exitStatus == .usage)
        let empty = try #require(throws: ConfigurationError.self) {
            try ProductionEnvironments(yaml: "production_environments: [\" \"]\n", path: "environments.yaml")
        }
        #expect(empty.location?.line == 1)
    }
}
