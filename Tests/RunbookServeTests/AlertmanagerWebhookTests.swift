import Foundation
import RunbookKit
import RunbookServe
import Testing

@Suite struct AlertmanagerWebhookTests {
    @Test func aVersion4BodyParsesWithItsGroupAndAlerts() throws {
        let body = WebhookFixtures.body(alerts: [
            .init(name: "KubePodCrashLooping", runbookURL: "https://example.com/runbooks/KubePodCrashLooping.md")
        ])
        let webhook = try AlertmanagerWebhook.parse(body)
        #expect(webhook.groupKey == "{}:{alertname=\"KubePodCrashLooping\"}")
        #expect(webhook.status == .firing)
        #expect(webhook.alerts.count == 1)
        #expect(webhook.alerts[0].fingerprint == "fp-KubePodCrashLooping")
        #expect(webhook.alerts[0].title == "KubePodCrashLooping: Pods are crash-looping")
        #expect(webhook.alerts[0].labels["namespace"] == "payments")
    }

    @Test func anAlertWithoutSummaryIsTitledByItsName() throws {
        let webhook = try AlertmanagerWebhook.parse(WebhookFixtures.body(alerts: [.init(name: "Down", summary: nil)]))
        #expect(webhook.alerts[0].title == "Down")
    }

    @Test func anAlertWithoutFingerprintGetsAStableOneFromItsLabels() throws {
        var alert = WebhookFixtures.Alert(name: "Down")
        alert.fingerprint = ""
        let first = try AlertmanagerWebhook.parse(WebhookFixtures.body(alerts: [alert]))
        let second = try AlertmanagerWebhook.parse(WebhookFixtures.body(alerts: [alert]))
        #expect(first.alerts[0].fingerprint.count == 16)
        #expect(first.alerts[0].fingerprint == second.alerts[0].fingerprint)
    }

    @Test func malformedJSONIsA400() {
        #expect(throws: WebhookError.malformed("the body is not JSON")) {
            try AlertmanagerWebhook.parse(Data("{\"version\": \"4\", ".utf8))
        }
        #expect(WebhookError.malformed("x").status == 400)
    }

    @Test func aMissingMemberIsNamed() {
        let body = Data(#"{"version": "4", "status": "firing", "alerts": []}"#.utf8)
        #expect(throws: WebhookError.malformed("`groupKey` is missing")) { try AlertmanagerWebhook.parse(body) }
    }

    @Test func aWrongTypeIsNamedWithItsPath() {
        let body = Data(#"{"version": "4", "groupKey": "g", "status": "firing", "alerts": [{"status": 3}]}"#.utf8)
        #expect(throws: WebhookError.malformed("`alerts[0].status` has the wrong type")) {
            try AlertmanagerWebhook.parse(body)
        }
    }

    @Test func anotherVersionIsA422() {
        let body = WebhookFixtures.body(version: "3", alerts: [.init(name: "Down")])
        #expect(throws: WebhookError.unsupported("webhook version 3 is not supported; only version 4 is")) {
            try AlertmanagerWebhook.parse(body)
        }
        #expect(WebhookError.unsupported("x").status == 422)
    }

    @Test func anEmptyGroupKeyIsA422() {
        #expect(throws: WebhookError.unsupported("`groupKey` is empty")) {
            try AlertmanagerWebhook.parse(WebhookFixtures.body(groupKey: " ", alerts: [.init(name: "Down")]))
        }
    }

    @Test func aBodyOverOneMebibyteIsA413BeforeItIsParsed() {
        let body = Data(repeating: UInt8(ascii: " "), count: AlertmanagerWebhook.maximumBodySize + 1)
        #expect(throws: WebhookError.tooLarge(size: body.count)) { try AlertmanagerWebhook.parse(body) }
        #expect(WebhookError.tooLarge(size: 0).status == 413)
    }
}
