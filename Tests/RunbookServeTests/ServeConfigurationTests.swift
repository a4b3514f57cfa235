import Foundation
import RunbookCLI
import RunbookKit
import Testing

@Suite struct ServeConfigurationTests {
    @Test func prometheusSeveritiesMapToPriorities() {
        let configuration = ServeConfiguration()
        #expect(configuration.severity(labels: ["severity": "critical"]) == .p1)
        #expect(configuration.severity(labels: ["severity": "Warning"]) == .p2)
        #expect(configuration.severity(labels: ["severity": "info"]) == .p3)
    }

    @Test func anExplicitPriorityLabelWins() {
        #expect(ServeConfiguration().severity(labels: ["severity": "P0"]) == .p0)
        #expect(ServeConfiguration().severity(labels: ["severity": "p2"]) == .p2)
    }

    @Test func aMissingOrUnknownSeverityIsTheDefault() {
        #expect(ServeConfiguration().severity(labels: [:]) == .p2)
        #expect(ServeConfiguration().severity(labels: ["severity": "none"]) == .p2)
    }

    @Test func theFileMapsItsOwnLabelAndValuesOverTheDefaults() throws {
        let configuration = try ServeConfiguration(
            yaml: """
                severity_label: priority
                severities:
                  page: P0
                  critical: P0
                default_severity: P3
                environment_label: env
                environment: staging
                idle_timeout: 5s
                max_streams: 50
                token_file: /etc/runbook/serve.token
                listen: 0.0.0.0:9099
                """, path: "serve.yaml")
        #expect(configuration.severity(labels: ["priority": "page"]) == .p0)
        #expect(configuration.severity(labels: ["priority": "critical"]) == .p0)
        #expect(configuration.severity(labels: ["priority": "warning"]) == .p2)
        #expect(configuration.severity(labels: ["severity": "critical"]) == .p3)
        #expect(configuration.environment(labels: ["env": "eu-prod"]) == "eu-prod")
        #expect(configuration.environment(labels: [:]) == "staging")
        #expect(configuration.idleTimeout == 5)
        #expect(configuration.maxStreams == 50)
        #expect(ServeConfiguration().maxStreams == 500)
        #expect(configuration.tokenFile == "/etc/runbook/serve.token")
        #expect(configuration.listen == "0.0.0.0:9099")
    }

    @Test func aBadSeverityIsReportedAtItsLine() {
        #expect {
            try ServeConfiguration(yaml: "severities:\n  page: P9\n", path: "serve.yaml")
        } throws: { error in
            "\(error)".contains("serve.yaml:2:9") && "\(error)".contains("must be P0, P1, P2 or P3, not P9")
        }
    }

    @Test func aStreamLimitThatIsNotAWholeNumberInItsRangeIsRefusedAtItsLine() {
        for value in ["0", "-1", "many", "2.5", "100001", "\"\""] {
            #expect("max_streams: \(value)") {
                try ServeConfiguration(yaml: "environment: staging\nmax_streams: \(value)\n", path: "serve.yaml")
            } throws: { error in
                "\(error)".contains("serve.yaml:2:") && "\(error)".contains("from 1 to 100000")
            }
        }
    }

    @Test func anUnknownKeyIsRefusedWithTheKnownOnes() {
        #expect {
            try ServeConfiguration(yaml: "token: abc\n", path: "serve.yaml")
        } throws: { error in
            "\(error)".contains("unknown key `token`") && "\(error)".contains("token_file")
        }
    }
}

@Suite struct ServeListenAddressTests {
    @Test func addressesSplitIntoHostAndPort() {
        func split(_ text: String) -> String? { ServeCommand.address(text).map { "\($0.host) \($0.port)" } }
        #expect(split("127.0.0.1:9099") == "127.0.0.1 9099")
        #expect(split("[::1]:9099") == "::1 9099")
        #expect(split("0.0.0.0:0") == "0.0.0.0 0")
    }

    @Test func aMissingPortOrHostOrAPortOutOfRangeIsNoAddress() {
        for text in ["localhost", ":9099", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "a b:80"] {
            #expect(ServeCommand.address(text) == nil, "\(text)")
        }
    }
}
