import Foundation
import Hummingbird
import NIOCore

/// One header field (HTTPTypes' `HTTPField`, which Hummingbird does not re-export by name).
private typealias Field = HTTPFields.Element

extension ServeApplication {
    /// The incident pages' routes: `/`, `/login`, `/incidents/ID` (its `events` and `report`, and `POST …/share`),
    /// and the same under a share link, `/s/LINK`.
    static func addPageRoutes(to router: Router<BasicRequestContext>, _ pages: IncidentPages) {
        @Sendable func access(_ request: Request) -> IncidentPages.Access {
            pages.access(authorization: request.headers[.authorization], cookie: request.headers[.cookie])
        }
        @Sendable func id(_ context: BasicRequestContext) -> Int64? {
            context.parameters.get("id").flatMap { Int64($0) }
        }
        /// `body`'s response for the incident a share link opens, as an access, with the incident (nil for an
        /// unknown or revoked link: 404); the 503 page when the store does not answer.
        @Sendable func shared(
            _ context: BasicRequestContext, _ body: (IncidentPages.Access, Int64?) async -> Response
        ) async -> Response {
            let link = context.parameters.get("link") ?? ""
            switch await blocking({ pages.sharedAccess(link) }) {
            case .failure(let error): return response(error.reply)
            case .success(let incident): return await body(.shared(incidentID: incident ?? -1), incident)
            }
        }
        router.get("/") { request, _ in response(await blocking { pages.index(access(request)) }) }
        router.get("/login") { request, _ in
            let token = request.uri.queryParameters.get("token")
            return response(pages.login(token: token))
        }
        router.get("/incidents/:id") { request, context in
            let id = id(context)
            let access = access(request)
            return response(await blocking { pages.incident(id, access: access, base: "/incidents/\(id ?? 0)") })
        }
        router.get("/incidents/:id/report") { request, context in
            let (id, access) = (id(context), access(request))
            return response(await blocking { pages.report(id, access: access) })
        }
        router.get("/incidents/:id/events") { request, context in
            let (id, access) = (id(context), access(request))
            return await events(pages, id, access: access, request: request)
        }
        router.post("/incidents/:id/share") { request, context in
            let (id, access) = (id(context), access(request))
            return response(await blocking { pages.share(id, access: access) })
        }
        router.get("/s/:link") { _, context in
            await shared(context) { access, incident in
                let base = "/s/" + (context.parameters.get("link") ?? "")
                return response(await blocking { pages.incident(incident, access: access, base: base) })
            }
        }
        router.get("/s/:link/report") { _, context in
            await shared(context) { access, incident in
                response(await blocking { pages.report(incident, access: access) })
            }
        }
        router.get("/s/:link/events") { request, context in
            await shared(context) { access, incident in
                let link = context.parameters.get("link") ?? ""
                // A link revoked while a page is open on it: the stream ends at its next message (a keep-alive
                // included), before that message is written.
                return await events(pages, incident, access: access, request: request) {
                    incident.map { pages.linkStillOpens(link, $0) } ?? false
                }
            }
        }
    }

    /// The event stream of incident `id`, resuming after `Last-Event-ID` (else the `after` query parameter),
    /// for as long as `stillAllowed` (asked before each message is written) holds.
    private static func events(
        _ pages: IncidentPages, _ id: Int64?, access: IncidentPages.Access, request: Request,
        stillAllowed: @escaping @Sendable () -> Bool = { true }
    ) async -> Response {
        let lastEventID = Field.Name("Last-Event-ID").flatMap { request.headers[$0] }.flatMap { Int64($0) }
        let after = lastEventID ?? request.uri.queryParameters.get("after").flatMap { Int64($0) } ?? 0
        switch await blocking({ pages.events(id, access: access, after: after) }) {
        case .failure(let error):
            return response(error.reply)
        case .success(let stream):
            var headers = HTTPFields()
            headers[.contentType] = "text/event-stream; charset=utf-8"
            headers[.cacheControl] = "no-store"
            // nginx: do not buffer the stream.
            if let name = Field.Name("X-Accel-Buffering") { headers[name] = "no" }
            return Response(
                status: .ok, headers: headers,
                body: ResponseBody { writer in
                    for await text in stream {
                        guard await blocking(stillAllowed) else { break }
                        try await writer.write(ByteBuffer(string: text))
                    }
                    try await writer.finish(nil)
                })
        }
    }

    static func response(_ reply: IncidentPages.Reply) -> Response {
        var headers = HTTPFields()
        headers[.cacheControl] = "no-store"
        for (name, value) in reply.headers {
            if let name = Field.Name(name) { headers.append(Field(name: name, value: value)) }
        }
        return Response(
            status: HTTPResponse.Status(code: reply.status), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(string: reply.body)))
    }
}

/// Headers every response of the service carries: no sniffing of content types, no referrer, and a policy that
/// allows nothing where the route set none (JSON, text, the event stream).
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.xContentTypeOptions] = "nosniff"
        if let name = Field.Name("Referrer-Policy") { response.headers[name] = "no-referrer" }
        if response.headers[.contentSecurityPolicy] == nil {
            response.headers[.contentSecurityPolicy] = IncidentPages.strictPolicy
        }
        return response
    }
}
