// The peer of scripts/bench-serve-webhooks: `POST /alertmanager` as `runbook serve` answers it, without the store.
// The same bearer check (both sides hashed, compared in full), the body collected up to the same limit and parsed
// by the same `AlertmanagerWebhook.parse`, and a JSON answer of the same shape (`{"declared":…,"incident":…,
// "notes":…}`), in a minimal Hummingbird handler: no lock, no look-up, no commit, no log line, no metrics. So the
// benchmark's ratio is the cost of the intake's logic and the store.
// Listens on 127.0.0.1:0 and prints `serve-peer listening port=N`; SIGTERM or SIGINT stops it.
// Usage: RUNBOOK_SERVE_TOKEN=… serve-peer
import Crypto
import Foundation
import Hummingbird
import RunbookKit

guard let token = ProcessInfo.processInfo.environment["RUNBOOK_SERVE_TOKEN"], !token.isEmpty else {
    FileHandle.standardError.write(Data("usage: RUNBOOK_SERVE_TOKEN=… serve-peer\n".utf8))
    exit(2)
}
/// The handler: the bearer check, the parse and the answer of `ServeEndpoints.alertmanager`, without the intake.
struct PeerEndpoint: Sendable {
    /// The token's SHA-256.
    let digest: [UInt8]

    func isAuthorized(_ authorization: String?) -> Bool {
        guard let authorization, authorization.count > 7, authorization.prefix(7).lowercased() == "bearer " else {
            return false
        }
        let given = SHA256.hash(data: Data(authorization.dropFirst(7).trimmingCharacters(in: .whitespaces).utf8))
        var difference: UInt8 = 0
        for (a, b) in zip(given, digest) { difference |= a ^ b }
        return difference == 0
    }

    func alertmanager(_ request: Request) async throws -> Response {
        guard isAuthorized(request.headers[.authorization]) else { return reply(401, ["error": "unauthorized"]) }
        let body: Data
        do {
            body = Data(try await request.body.collect(upTo: AlertmanagerWebhook.maximumBodySize).readableBytesView)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            return reply(413, ["error": .string(WebhookError.tooLarge(size: 0).message)])
        }
        let webhook: AlertmanagerWebhook
        do throws(WebhookError) {
            webhook = try AlertmanagerWebhook.parse(body)
        } catch {
            return reply(error.status, ["error": .string(error.message)])
        }
        // A stand-in for the group's incident id, so the answer has the same members and about the same length.
        let incident = Int64(webhook.groupKey.utf8.reduce(0) { ($0 &* 31 &+ Int($1)) & 0xFFFF })
        return reply(200, ["declared": false, "incident": .int(incident), "notes": .int(0)])
    }

    private func reply(_ status: Int, _ body: JSONValue) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-store"
        return Response(
            status: HTTPResponse.Status(code: status), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(string: body.canonicalString)))
    }
}

let endpoint = PeerEndpoint(digest: Array(SHA256.hash(data: Data(token.utf8))))
let router = Router(context: BasicRequestContext.self)
router.post("/alertmanager") { request, _ in try await endpoint.alertmanager(request) }
let application = Application(
    router: router, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
    onServerRunning: { channel in
        FileHandle.standardOutput.write(Data("serve-peer listening port=\(channel.localAddress?.port ?? 0)\n".utf8))
    })
try await application.runService()
