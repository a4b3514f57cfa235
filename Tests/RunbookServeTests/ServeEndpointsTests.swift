import Foundation
import RunbookKit
import RunbookServe
import Testing

@Suite struct ServeEndpointsTests {
    static let token = "s3cret-token-0123456789"

    static func endpoints(_ fixture: IntakeFixture) -> (ServeEndpoints, ServeMetrics) {
        let metrics = ServeMetrics()
        let endpoints = ServeEndpoints(
            token: token, intake: fixture.intake, health: StoreHealth(store: fixture.store, path: fixture.store.path),
            metrics: metrics, metricsStore: fixture.store)
        return (endpoints, metrics)
    }

    static let body = WebhookFixtures.body(alerts: [AlertIntakeTests.crashLooping])

    @Test func onlyTheExactBearerTokenIsAuthorized() throws {
        let (endpoints, _) = Self.endpoints(try IntakeFixture())
        #expect(endpoints.isAuthorized("Bearer \(Self.token)"))
        #expect(endpoints.isAuthorized("bearer \(Self.token)"))
        #expect(!endpoints.isAuthorized(nil))
        #expect(!endpoints.isAuthorized(""))
        #expect(!endpoints.isAuthorized(Self.token))
        #expect(!endpoints.isAuthorized("Bearer \(Self.token)x"))
        #expect(!endpoints.isAuthorized("Bearer \(Self.token.dropLast())"))
        #expect(!endpoints.isAuthorized("Basic \(Self.token)"))
    }

    @Test func aWrongTokenIs401WithoutDetailAndRecordsNothing() throws {
        let fixture = try IntakeFixture()
        let (endpoints, metrics) = Self.endpoints(fixture)
        let reply = endpoints.alertmanager(authorization: "Bearer wrong", body: Self.body)
        #expect(reply.status == 401)
        #expect(reply.body == #"{"error":"unauthorized"}"#)
        #expect(try fixture.store.incidents(openOnly: false, drillsOnly: false).isEmpty)
        #expect(metrics.registry.emitToString().contains(#"runbook_alert_webhooks_rejected_total{status="401"} 1"#))
    }

    @Test func badBodiesAre4xxJSONErrorsAndRecordNothing() throws {
        let fixture = try IntakeFixture()
        let (endpoints, _) = Self.endpoints(fixture)
        let auth = "Bearer \(Self.token)"
        let tooLarge = endpoints.alertmanager(authorization: auth, body: nil)
        #expect(tooLarge.status == 413 && tooLarge.contentType == "application/json")
        let malformed = endpoints.alertmanager(authorization: auth, body: Data("not json".utf8))
        #expect(malformed.status == 400 && malformed.body.contains(#""error":"the body is not JSON"#))
        let version = endpoints.alertmanager(
            authorization: auth, body: WebhookFixtures.body(version: "3", alerts: [AlertIntakeTests.crashLooping]))
        #expect(version.status == 422 && version.body.contains("version 3"))
        #expect(try fixture.store.incidents(openOnly: false, drillsOnly: false).isEmpty)
    }

    @Test func aGoodNotificationIs200WithTheIncident() throws {
        let fixture = try IntakeFixture()
        let (endpoints, metrics) = Self.endpoints(fixture)
        let reply = endpoints.alertmanager(authorization: "Bearer \(Self.token)", body: Self.body)
        #expect(reply.status == 200)
        #expect(reply.body == #"{"declared":true,"incident":1,"notes":1}"#)
        let text = endpoints.metricsText().body
        #expect(text.contains("runbook_alert_webhooks_received_total 1"))
        #expect(text.contains(#"runbook_open_incidents{severity="P1"} 1"#))
        #expect(text.contains("runbook_notifications_pending 0"))
        #expect(metrics.registry.emitToString().contains("runbook_timer_lateness_seconds_bucket"))
    }

    @Test func aStoreThatIsGoneMakesHealthAndWebhooks503AndNothingIsWritten() throws {
        let fixture = try IntakeFixture()
        let (endpoints, _) = Self.endpoints(fixture)
        #expect(endpoints.healthz().status == 200)
        let moved = fixture.scratch.directory.appendingPathComponent("moved.sqlite3").path
        try FileManager.default.moveItem(atPath: fixture.store.path, toPath: moved)
        // Why, with the file's path, is for the token; a probe without it learns only that the store is down.
        let health = endpoints.healthz(authorization: "Bearer \(Self.token)")
        #expect(health.status == 503 && health.body.contains("is gone or was replaced"))
        let probe = endpoints.healthz()
        #expect(probe.status == 503)
        #expect(probe.body == #"{"error":"the store does not answer","status":"unavailable"}"#, "\(probe.body)")
        let reply = endpoints.alertmanager(authorization: "Bearer \(Self.token)", body: Self.body)
        #expect(reply.status == 503)
        // The open handle still reads the moved file: nothing was declared in it.
        #expect(try fixture.store.incidents(openOnly: false, drillsOnly: false).isEmpty)
    }
}
