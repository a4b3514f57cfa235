import Foundation
import RunbookKit
import Testing

@Suite struct PolicySnapshotTests {
    @Test func readsAnEncodedEscalationPolicy() throws {
        let policy = EscalationPolicy(rules: [
            EscalationRule(severity: .p1, description: "Major", responseTime: .duration(1800), targets: ["DevOps Lead"])
        ])
        let snapshot = try JSONValue(parsing: String(decoding: JSONEncoder().encode(policy), as: UTF8.self))
        #expect(PolicySnapshot.responseTime(for: .p1, in: snapshot) == .duration(1800))
        #expect(PolicySnapshot.responseTime(for: .p0, in: snapshot) == nil)
    }

    @Test func readsASingleRowInTheMatrixWording() {
        let snapshot: JSONValue = ["severity": "P0", "response_time": "15 minutes", "targets": ["CTO"]]
        #expect(PolicySnapshot.responseTime(for: .p0, in: snapshot) == .duration(900))
    }

    @Test func readsSecondsAndBusinessDays() {
        let snapshot: JSONValue = [
            "matrix": [
                ["severity": "P2", "responseTimeSeconds": 7200],
                ["severity": "P3", "response_time": ["business_days": 1]],
            ]
        ]
        #expect(PolicySnapshot.responseTime(for: .p2, in: snapshot) == .duration(7200))
        #expect(PolicySnapshot.responseTime(for: .p3, in: snapshot) == .businessDays(1))
    }

    @Test func missingSnapshotHasNoResponseTime() {
        #expect(PolicySnapshot.responseTime(for: .p0, in: nil) == nil)
        #expect(PolicySnapshot.responseTime(for: .p0, in: ["unrelated": true]) == nil)
    }
}
