import ArgumentParser
import Foundation
import RunbookKit

/// `runbook serve`: runs `runbook-serve`, the HTTP service (Alertmanager intake, health, metrics, and the
/// escalator), in this process's place. The service is its own program so that `runbook` never loads an HTTP
/// server; this command only parses the options (one definition, shared with `runbook-serve`) and execs it.
public struct ServeCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP service: Alertmanager alerts in, health and metrics out, the escalator inside.",
        discussion: """
            POST /alertmanager takes Alertmanager's webhook (version 4) with a bearer token ($RUNBOOK_SERVE_TOKEN, \
            else the config's token_file): a firing group declares one incident, or adds its new alerts to the \
            open one as notes. GET /healthz says whether the store answers, GET /metrics is in Prometheus format. \
            The service runs the store's escalator, logs one line per request, and stops cleanly on SIGTERM. See \
            docs/serve.md for the Alertmanager receiver, a systemd unit and a reverse proxy.

            GET / and GET /incidents/ID are the live incident pages, for the token or a share link \
            (`runbook serve share ID`).

            Exit codes: 0 stopped (SIGTERM, SIGINT), 2 bad options or configuration, 4 database unusable, \
            5 could not start (runbook-serve missing, the address in use).
            """,
        subcommands: [ServeShareCommand.self])

    /// Where the service listens without `--listen` or `listen:` in the configuration: loopback only.
    public static let defaultListen = "127.0.0.1:9099"

    @OptionGroup public var global: GlobalOptions

    @Option(
        help: ArgumentHelp(
            "Address and port to listen on (default: the config's listen, else \(ServeCommand.defaultListen)).",
            valueName: "addr:port"))
    public var listen: String?

    @Option(
        help: ArgumentHelp("The service's configuration file (YAML, docs/serve.md).", valueName: "file"),
        completion: .file())
    public var config: String?

    public init() {}

    public func validate() throws {
        if let listen, Self.address(listen) == nil {
            throw ValidationError("--listen must be ADDR:PORT (127.0.0.1:9099, [::1]:9099), not \(listen).")
        }
    }

    /// `ADDR:PORT` split, or `nil` when it is not one (a port outside 0…65535, no address). Port 0 takes a free
    /// port, which the service's `listening` log line names.
    public static func address(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65_535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "/" }) else { return nil }
        return (host, port)
    }

    /// The arguments `runbook-serve` gets: these options, as given.
    public var serviceArguments: [String] {
        var arguments: [String] = []
        if let listen { arguments += ["--listen", listen] }
        if let config { arguments += ["--config", config] }
        if let db = global.db { arguments += ["--db", db] }
        if let runbooks = global.runbooks { arguments += ["--runbooks", runbooks] }
        return arguments
    }

    public func run() throws {
        guard let path = HTTPPoster.helperPath(named: "runbook-serve", override: "RUNBOOK_SERVE") else {
            throw ServeError.serviceMissing
        }
        let arguments = [path] + serviceArguments
        var pointers = arguments.map { strdup($0) } + [nil]
        defer { for pointer in pointers { free(pointer) } }
        execv(path, &pointers)
        throw ServeError.cannotStart(path: path, reason: String(cString: strerror(errno)))
    }

    /// `runbook-serve`'s arguments parsed as `runbook serve` parses them; help, or a bad option, is said as
    /// `runbook serve` says it, and the process exits.
    public static func parseService(_ arguments: [String]) -> ServeCommand {
        do {
            var command = try RunbookCommand.parseAsRoot(["serve"] + arguments)
            guard let serve = command as? ServeCommand else {
                try command.run()
                Foundation.exit(0)
            }
            return serve
        } catch {
            RunbookMain.exit(reporting: error)
        }
    }
}

/// Why `runbook serve` could not start the service.
public enum ServeError: UserFacingError, Equatable {
    /// `runbook-serve` is neither beside `runbook` nor on `PATH`.
    case serviceMissing
    /// `exec` failed.
    case cannotStart(path: String, reason: String)

    public var summary: String {
        switch self {
        case .serviceMissing: return "runbook-serve is missing: `runbook serve` runs it, and it is not installed"
        case .cannotStart(let path, let reason): return "cannot start \(path): \(reason)"
        }
    }

    public var hint: String? {
        "install runbook-serve beside runbook (swift build builds both), put it on PATH, or set RUNBOOK_SERVE to it"
    }

    public var exitStatus: ExitStatus { .refused }
}
