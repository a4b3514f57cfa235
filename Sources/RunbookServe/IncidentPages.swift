import Foundation
import RunbookKit

/// What the incident page routes answer, apart from HTTP: who may see what, and the pages. Read-only: nothing
/// here writes to the store, and everything shown is what the store holds (redacted when it was written).
///
/// Access is the service's bearer token (`Authorization: Bearer TOKEN`, or the `runbook_token` cookie that
/// `GET /login?token=TOKEN` sets), or a share link `/s/ID` for one incident (`ShareLinks`), read at each request
/// so that a revoked link stops working at once. A link that does not exist and a revoked one are both 404; a
/// link looked up while the store does not answer is 503.
public final class IncidentPages: Sendable {
    /// A response: status, headers, body.
    public struct Reply: Sendable {
        /// The HTTP status.
        public var status: Int
        /// Headers beyond the security headers every response gets.
        public var headers: [(String, String)]
        /// The body.
        public var body: String
    }

    /// Whom a request speaks for.
    public enum Access: Sendable, Equatable {
        /// The token: every incident, and the share links.
        case token
        /// A share link: one incident.
        case shared(incidentID: Int64)
        /// Nobody.
        case none
    }

    /// The cookie `GET /login` sets.
    public static let cookieName = "runbook_token"

    let store: IncidentPageStore
    let links: ShareLinks
    let streams: IncidentEventStreams
    let isAuthorized: @Sendable (String?) -> Bool
    let replay: Result<ReplayBundle, ReplayBundle.Absence>

    /// Pages of `store` (and of its share links), for requests that `isAuthorized` accepts (given `Bearer TOKEN`).
    /// At most `maxStreams` live pages at once (their event streams; `max_streams` in the configuration).
    public init(
        store: IncidentPageStore,
        replay: Result<ReplayBundle, ReplayBundle.Absence> = ReplayBundle.forThisProcess(),
        maxStreams: Int = ServeConfiguration.defaultMaxStreams,
        isAuthorized: @escaping @Sendable (String?) -> Bool
    ) {
        self.store = store
        self.links = ShareLinks(store: store)
        self.streams = IncidentEventStreams(store: store, limit: maxStreams)
        self.isAuthorized = isAuthorized
        self.replay = replay
    }

    /// The access of a request with these `Authorization` and `Cookie` headers.
    public func access(authorization: String?, cookie: String?) -> Access {
        if isAuthorized(authorization) { return .token }
        if let token = Self.cookie(Self.cookieName, in: cookie), isAuthorized("Bearer " + token) { return .token }
        return .none
    }

    /// The incident a share link opens, or `nil` (no such link, revoked); throws when the store does not answer.
    public func sharedIncident(_ link: String) throws -> Int64? {
        try links.lookUp(link)
    }

    /// What a share link gives: its incident, `nil` for no such link or a revoked one (404, like a page that never
    /// was), or the 503 page when the store does not answer, so that the viewer does not take the link for revoked.
    public func sharedAccess(_ link: String) -> Result<Int64?, ReplyError> {
        do {
            return .success(try sharedIncident(link))
        } catch {
            let nonce = Self.nonce()
            return .failure(ReplyError(reply: storeUnavailable(error, access: .none, nonce: nonce)))
        }
    }

    /// Whether the share link `link` still opens `incident`: `false` once it is revoked, `true` while the store
    /// does not answer (nothing new can be read then either, and a page on the link should not lose its stream to
    /// an outage).
    public func linkStillOpens(_ link: String, _ incident: Int64) -> Bool {
        do {
            return try links.lookUp(link) == incident
        } catch {
            return true
        }
    }

    /// `GET /login?token=T`: sets the cookie and goes to `/` when `T` is the token, else 401.
    public func login(token: String?) -> Reply {
        let nonce = Self.nonce()
        guard let token, isAuthorized("Bearer " + token) else {
            return page(
                401,
                IncidentPage.message(
                    "Not signed in", "The token is missing or wrong: open /login?token=TOKEN with the service's token.",
                    nonce: nonce), nonce: nonce)
        }
        var reply = page(303, IncidentPage.message("Signed in", "Go to /.", nonce: nonce), nonce: nonce)
        reply.headers.append(("Location", "/"))
        reply.headers.append(
            ("Set-Cookie", "\(Self.cookieName)=\(token); Path=/; HttpOnly; SameSite=Strict; Max-Age=43200"))
        return reply
    }

    /// `GET /`: the open incidents, for the token only.
    public func index(_ access: Access) -> Reply {
        let nonce = Self.nonce()
        guard access == .token else { return unauthorized(nonce) }
        do {
            return page(
                200, IncidentPage.index(try store.incidents(openOnly: true, drillsOnly: false), nonce: nonce),
                nonce: nonce)
        } catch {
            return storeUnavailable(error, access: access, nonce: nonce)
        }
    }

    /// `GET /incidents/ID` (`base` `/incidents/ID`) or `GET /s/LINK` (`base` `/s/LINK`).
    public func incident(_ id: Int64?, access: Access, base: String) -> Reply {
        let nonce = Self.nonce()
        switch visible(id, access: access) {
        case .failure(let error): return error.reply
        case .success(let incident):
            do {
                return page(
                    200, try IncidentPage.render(incident, base: base, nonce: nonce, store: store), nonce: nonce)
            } catch {
                return storeUnavailable(error, access: access, nonce: nonce)
            }
        }
    }

    /// `GET …/report`: the postmortem HTML report, as `runbook export --format html` writes it, with its own
    /// policy as the response's.
    public func report(_ id: Int64?, access: Access) -> Reply {
        switch visible(id, access: access) {
        case .failure(let error): return error.reply
        case .success(let incident):
            let exporter = HTMLReportExporter(replay: replay)
            let sink = ExportSink()
            do {
                try exporter.write(try IncidentTranscript.load(incidentID: incident.id, from: store), to: sink)
            } catch {
                return storeUnavailable(error, access: access, nonce: Self.nonce())
            }
            return Reply(
                status: 200,
                headers: [
                    ("Content-Type", "text/html; charset=utf-8"),
                    ("Content-Security-Policy", exporter.contentSecurityPolicy + "; frame-ancestors 'none'"),
                ], body: String(decoding: sink.data, as: UTF8.self))
        }
    }

    /// `GET …/events`: the incident's messages after event `after` (`Last-Event-ID`), or why not.
    public func events(_ id: Int64?, access: Access, after: Int64) -> Result<AsyncStream<String>, ReplyError> {
        switch visible(id, access: access) {
        case .failure(let error): return .failure(error)
        case .success(let incident):
            guard let stream = streams.subscribe(incident, after: after) else {
                // Every allowed stream is open (a page left open on many screens, or someone opening them on
                // purpose): this one waits, the intake and the other pages go on.
                var reply = json(
                    503,
                    [
                        "error": .string(
                            "\(streams.limit) live pages are open, the most this service serves (max_streams); "
                                + "reload in a minute")
                    ])
                reply.headers.append(("Retry-After", "60"))
                return .failure(ReplyError(reply: reply))
            }
            return .success(stream)
        }
    }

    /// `POST /incidents/ID/share` with the token: a new share link, as JSON `{"link":"/s/…"}`.
    public func share(_ id: Int64?, access: Access) -> Reply {
        guard access == .token else { return json(401, ["error": "unauthorized"]) }
        guard let id, (try? store.incident(id)) != nil else {
            return json(404, ["error": "no such incident"])
        }
        do {
            return json(200, ["link": .string("/s/" + (try links.create(incidentID: id)))])
        } catch {
            return json(503, ["error": .string("\(error)")])
        }
    }

    /// A reply carried as an error.
    public struct ReplyError: Error {
        /// The reply.
        public var reply: Reply
    }

    /// The incident `id` when `access` may see it: 401 without access, 404 for an unknown incident or one the
    /// link does not open.
    private func visible(_ id: Int64?, access: Access) -> Result<Incident, ReplyError> {
        let nonce = Self.nonce()
        let notFound = ReplyError(
            reply: page(404, IncidentPage.message("Not found", "No such incident or link.", nonce: nonce), nonce: nonce)
        )
        switch access {
        case .none: return .failure(ReplyError(reply: unauthorized(nonce)))
        case .shared(let shared): guard id == shared else { return .failure(notFound) }
        case .token: break
        }
        guard let id else { return .failure(notFound) }
        do {
            guard let incident = try store.incident(id) else { return .failure(notFound) }
            return .success(incident)
        } catch {
            return .failure(ReplyError(reply: storeUnavailable(error, access: access, nonce: nonce)))
        }
    }

    /// The 503 page of a store that does not answer: why, for the token; for a share link (support, management)
    /// only that it will pass, since the error names the store's file or server.
    private func storeUnavailable(_ error: any Error, access: Access, nonce: String) -> Reply {
        let detail =
            access == .token
            ? "\(error)" : "The incident's record cannot be read right now. Reload the page in a minute."
        return page(503, IncidentPage.message("Store unavailable", detail, nonce: nonce), nonce: nonce)
    }

    private func unauthorized(_ nonce: String) -> Reply {
        page(
            401,
            IncidentPage.message(
                "Not signed in", "Open /login?token=TOKEN with the service's token, or use a share link.", nonce: nonce),
            nonce: nonce)
    }

    private func page(_ status: Int, _ body: String, nonce: String) -> Reply {
        Reply(
            status: status,
            headers: [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Security-Policy", Self.policy(nonce: nonce)),
            ], body: body)
    }

    private func json(_ status: Int, _ value: JSONValue) -> Reply {
        Reply(status: status, headers: [("Content-Type", "application/json")], body: value.canonicalString)
    }

    /// The pages' policy: their one style sheet and one script by nonce, the event stream from this origin,
    /// nothing else (no other script, style, image, font, frame or form).
    static func policy(nonce: String) -> String {
        "default-src 'none'; script-src 'nonce-\(nonce)'; style-src 'nonce-\(nonce)'; connect-src 'self'; "
            + "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    }

    /// The policy of responses that are not pages (JSON, text, the event stream).
    public static let strictPolicy = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    /// 128 random bits, base64.
    static func nonce() -> String {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }).base64EncodedString()
    }

    /// The value of cookie `name` in a `Cookie` header.
    static func cookie(_ name: String, in header: String?) -> String? {
        guard let header else { return nil }
        for part in header.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces) == name {
                return pair[1].trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }
}
