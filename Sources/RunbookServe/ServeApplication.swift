import Foundation
import Hummingbird
import Logging
import NIOCore
import RunbookKit

/// The routes of `runbook serve` over `ServeEndpoints`, with one log line per request, and the live incident pages
/// over `IncidentPages` (`IncidentPageRoutes.swift`).
public enum ServeApplication {
    /// The router: `POST /alertmanager`, `GET /healthz`, `GET /metrics`, the pages of `pages`; anything else is
    /// 404.
    public static func router(_ endpoints: ServeEndpoints, pages: IncidentPages? = nil) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: RequestLogMiddleware())
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: SecurityHeadersMiddleware())
        if let pages { addPageRoutes(to: router, pages) }
        router.get("/healthz") { request, _ in
            let authorization = request.headers[.authorization]
            return response(await blocking { endpoints.healthz(authorization: authorization) })
        }
        router.get("/metrics") { _, _ in response(await blocking { endpoints.metricsText() }) }
        router.post("/alertmanager") { request, _ in
            let authorization = request.headers[.authorization]
            // Refused before the body is read: a stranger never makes the service buffer a megabyte.
            guard endpoints.isAuthorized(authorization) else {
                return response(endpoints.alertmanager(authorization: authorization, body: nil))
            }
            var body: Data?
            do {
                let buffer = try await request.body.collect(upTo: AlertmanagerWebhook.maximumBodySize)
                body = Data(buffer.readableBytesView)
            } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
                body = nil
            }
            let received = body
            return response(await blocking { endpoints.alertmanager(authorization: authorization, body: received) })
        }
        return router
    }

    /// The application listening on `host:port`; a connection silent for `idleTimeout` seconds (headers sent too
    /// slowly, or an idle keep-alive) is closed.
    public static func application(
        _ endpoints: ServeEndpoints, pages: IncidentPages? = nil, host: String, port: Int, idleTimeout: TimeInterval,
        logger: Logger, onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: router(endpoints, pages: pages),
            server: .http1(configuration: .init(idleTimeout: .milliseconds(Int64(idleTimeout * 1000)))),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: onServerRunning, logger: logger)
    }

    /// Where the store's calls run: they block (SQLite waits for its lock, a disk sync), so they run on threads of
    /// their own, never on the few threads of Swift's cooperative pool that the server's tasks need.
    static let storeQueue = DispatchQueue(label: "runbook-serve.store", attributes: .concurrent)

    /// `body`'s result, computed on `storeQueue`.
    static func blocking<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            storeQueue.async { continuation.resume(returning: body()) }
        }
    }

    static func response(_ reply: ServeEndpoints.Reply) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = reply.contentType
        headers[.cacheControl] = "no-store"
        return Response(
            status: HTTPResponse.Status(code: reply.status), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(string: reply.body)))
    }
}

/// One structured log line per request, when it ends: method, path, status and duration.
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    /// `path` as logged: a share link's id is a credential (the store keeps only its hash), so `/s/ID…` is
    /// logged as `/s/…`.
    static func logged(_ path: String) -> String {
        guard path.hasPrefix("/s/") else { return path }
        let rest = path.dropFirst(3)
        return "/s/…" + (rest.firstIndex(of: "/").map { String(rest[$0...]) } ?? "")
    }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        func log(_ status: Int) {
            let elapsed = ContinuousClock.now - start
            let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            context.logger.info(
                "request",
                metadata: [
                    "method": .string(request.method.rawValue), "path": .string(Self.logged(request.uri.path)),
                    "status": .stringConvertible(status),
                    "duration_ms": .string(String(format: "%.1f", milliseconds)),
                ])
        }
        do {
            let response = try await next(request, context)
            log(response.status.code)
            return response
        } catch let error as any HTTPResponseError {
            log(error.status.code)
            throw error
        } catch {
            log(500)
            throw error
        }
    }
}
