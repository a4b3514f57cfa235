import Crypto
import Foundation
import RunbookKit

/// What each route of `runbook serve` answers, apart from HTTP: the Hummingbird routes (`ServeApplication`) only
/// hand requests here and send the replies back, so the rules are tested without a socket.
public final class ServeEndpoints: Sendable {
    /// A response: its status, content type and body.
    public struct Reply: Sendable, Equatable {
        /// The HTTP status.
        public var status: Int
        /// The `Content-Type` header.
        public var contentType: String
        /// The body's text.
        public var body: String

        /// `{"error": message}` with `status`.
        static func error(_ status: Int, _ message: String) -> Reply {
            Reply(status: status, contentType: "application/json", body: json(["error": .string(message)]))
        }

        static func json(_ value: JSONValue) -> String { value.canonicalString }
    }

    /// The token's SHA-256, as bytes.
    let digest: [UInt8]
    let intake: AlertIntake
    let health: StoreHealth
    let metrics: ServeMetrics
    let metricsStore: any EscalatorStore

    /// Endpoints accepting the bearer `token`, recording through `intake`, answering health from `health`, and
    /// metrics from `metrics` with gauges read from `metricsStore`.
    public init(
        token: String, intake: AlertIntake, health: StoreHealth, metrics: ServeMetrics,
        metricsStore: any EscalatorStore
    ) {
        self.digest = Array(SHA256.hash(data: Data(token.utf8)))
        self.intake = intake
        self.health = health
        self.metrics = metrics
        self.metricsStore = metricsStore
    }

    /// Whether `authorization` (the header's value) is `Bearer TOKEN` with the service's token. Both sides are
    /// hashed first and compared in full, so the time taken says nothing about how much of a guess was right.
    public func isAuthorized(_ authorization: String?) -> Bool {
        guard let authorization, authorization.count > 7,
            authorization.prefix(7).lowercased() == "bearer "
        else { return false }
        let given = SHA256.hash(data: Data(authorization.dropFirst(7).trimmingCharacters(in: .whitespaces).utf8))
        var difference: UInt8 = 0
        for (a, b) in zip(given, digest) { difference |= a ^ b }
        return difference == 0
    }

    /// `GET /healthz`: 200 when the store answers, else 503, saying why to the token only (`authorization`): the
    /// reason names the store's file or server, and a load balancer's probe through a proxy is anyone's.
    public func healthz(authorization: String? = nil) -> Reply {
        if let problem = health.problem() {
            let why = isAuthorized(authorization) ? problem : "the store does not answer"
            return Reply(
                status: 503, contentType: "application/json",
                body: Reply.json(["status": "unavailable", "error": .string(why)]))
        }
        return Reply(status: 200, contentType: "application/json", body: Reply.json(["status": "ok"]))
    }

    /// `GET /metrics`.
    public func metricsText() -> Reply {
        Reply(
            status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8",
            body: metrics.scrape(store: metricsStore))
    }

    /// `POST /alertmanager` with `body`, or `nil` when the body was larger than the limit. In this order: 401 (no
    /// detail), 413, 503 (the store does not answer: Alertmanager retries), 400/422 (the body), then the intake.
    /// Nothing is recorded unless the reply is 200.
    public func alertmanager(authorization: String?, body: Data?) -> Reply {
        let reply = receive(authorization: authorization, body: body)
        metrics.webhook(status: reply.status)
        return reply
    }

    private func receive(authorization: String?, body: Data?) -> Reply {
        guard isAuthorized(authorization) else { return .error(401, "unauthorized") }
        guard let body else { return .error(413, WebhookError.tooLarge(size: 0).message) }
        if let problem = health.problem() { return .error(503, "the store does not answer: \(problem)") }
        let webhook: AlertmanagerWebhook
        do {
            webhook = try AlertmanagerWebhook.parse(body)
        } catch {
            return .error(error.status, error.message)
        }
        do {
            let outcome = try intake.receive(webhook)
            var members: [String: JSONValue] = [
                "declared": .bool(outcome.declared), "notes": .int(Int64(outcome.notes)),
            ]
            if let id = outcome.incident { members["incident"] = .int(id) }
            return Reply(status: 200, contentType: "application/json", body: Reply.json(.object(members)))
        } catch {
            // What was committed stays (each note is its own commit); Alertmanager's retry records the rest.
            return .error(503, "recording failed, retry: \(error)")
        }
    }
}

/// Whether the store answers: a query, and for an SQLite file, that it is still the file the service opened (a
/// deleted or replaced file would otherwise go on answering from the open handle).
public struct StoreHealth: Sendable {
    let store: any TranscriptStore
    let path: String?
    let identity: String?

    /// Health of `store`; `path` is the SQLite file, `nil` for a server.
    public init(store: any TranscriptStore, path: String?) {
        self.store = store
        self.path = path
        self.identity = path.flatMap(Self.identity(of:))
    }

    /// What is wrong, or `nil`.
    public func problem() -> String? {
        if let path, Self.identity(of: path) != identity {
            return "the database file \(path) is gone or was replaced"
        }
        do {
            _ = try store.incident(0)
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// Device and inode of the file at `path`, or `nil` when there is none.
    static func identity(of path: String) -> String? {
        var info = stat()
        guard path != ":memory:", stat(path, &info) == 0 else { return nil }
        return "\(info.st_dev):\(info.st_ino)"
    }
}
