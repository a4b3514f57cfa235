import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import RunbookCLI
import RunbookKit
import ServiceLifecycle

/// `runbook-serve`: the process `runbook serve` becomes. It opens the store twice (the intake's handle, and the
/// escalator's, which carries the escalator lease's fencing token), then runs the web application and the
/// escalator in one service group that SIGTERM and SIGINT shut down gracefully: the server stops taking
/// connections and finishes the requests in flight, then the escalator finishes its pass and its deliveries.
public enum ServeMain {
    /// Parses the arguments as `runbook serve` does, runs the service, and exits with the documented status.
    public static func main() async -> Never {
        let command = ServeCommand.parseService(Array(CommandLine.arguments.dropFirst()))
        do {
            try await run(command)
            exit(0)
        } catch {
            RunbookMain.exit(reporting: error)
        }
    }

    /// Runs until a signal stops it.
    public static func run(
        _ command: ServeCommand, environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws {
        let configuration = try command.config.map(ServeConfiguration.load(path:)) ?? ServeConfiguration()
        let listen = command.listen ?? configuration.listen ?? ServeCommand.defaultListen
        guard let (host, port) = ServeCommand.address(listen) else { throw ServeStartError.badListen(listen) }
        let token = try ServeStartError.token(environment: environment, configuration: configuration)

        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
            return handler
        }
        let logger = Logger(label: "runbook-serve")
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let metrics = ServeMetrics(registry: registry)

        let global = command.global
        let redactor = try StoreOpener.recordingRedactor(global, environment: environment)
        redactor.addSecret(name: "RUNBOOK_SERVE_TOKEN", value: token)
        let store = try StoreOpener.open(global, redactor: redactor, environment: environment)
        // The SQLite file, whose replacement /healthz notices; `nil` for a server.
        let databasePath = StoreOpener.location(global, environment: environment).isPostgres ? nil : store.storeName
        let escalatorRedactor = Redactor()
        escalatorRedactor.addSecret(name: "RUNBOOK_SERVE_TOKEN", value: token)
        let escalatorStore = ObservedEscalatorStore(
            try StoreOpener.open(global, redactor: escalatorRedactor, environment: environment),
            observe: { metrics.observe($0) })

        let runbooksDirectory = global.runbooksDirectory
        let identity = ResponderIdentity(user: "alertmanager", host: ProcessInfo.processInfo.hostName)
        let intake = AlertIntake(
            store: store, configuration: configuration, identity: identity,
            matcher: { AlertRunbookMatcher(directory: runbooksDirectory) },
            declare: { declaration in
                try IncidentDeclarer.declare(
                    declaration, in: store, runbooksDirectory: runbooksDirectory, actor: identity.actor
                ) { logger.notice("\($0)") }.incident
            })
        let endpoints = ServeEndpoints(
            token: token, intake: intake, health: StoreHealth(store: store, path: databasePath), metrics: metrics,
            metricsStore: escalatorStore)

        let notifiers = EscalatorFactory.notifierConfiguration(
            runbooksDirectory: runbooksDirectory, redactor: escalatorRedactor, environment: environment
        ) { logger.warning("\($0)") }
        let escalatorLogger = Logger(label: "runbook-serve.escalator")
        let escalator = EscalatorService(
            makeEscalator: {
                EscalatorFactory.escalator(
                    store: escalatorStore, configuration: notifiers, environment: environment, idleExit: nil,
                    databasePath: databasePath
                ) { escalatorLogger.info("\(escalatorRedactor.redact($0))") }
            }, store: escalatorStore, logger: escalatorLogger)

        let pages = IncidentPages(store: store, maxStreams: configuration.maxStreams) { endpoints.isAuthorized($0) }
        let application = ServeApplication.application(
            endpoints, pages: pages, host: host, port: port, idleTimeout: configuration.idleTimeout, logger: logger
        ) { channel in
            logger.notice(
                "listening",
                metadata: [
                    "address": "\(host)", "port": "\(channel.localAddress?.port ?? port)",
                    "store": "\(store.storeName)",
                    "runbooks": "\(runbooksDirectory)",
                ])
        }
        // Shut down in reverse order: the server first (requests in flight finish), then the escalator.
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [
                    .init(service: escalator, successTerminationBehavior: .gracefullyShutdownGroup),
                    .init(service: AnnouncedShutdown(service: application, logger: logger)),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            throw ServeStartError.cannotRun(listen: listen, reason: "\(error)")
        }
        logger.notice("stopped")
    }
}

/// A service that says in the log when its graceful shutdown begins (the server's: no new connections, the
/// requests in flight are finished).
struct AnnouncedShutdown<Wrapped: Service>: Service {
    let service: Wrapped
    let logger: Logger

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await service.run()
        } onGracefulShutdown: {
            logger.notice("stopping: no new connections; finishing the requests in flight")
        }
    }
}

/// Why `runbook-serve` will not start or stopped on its own.
public enum ServeStartError: UserFacingError, Equatable {
    /// `--listen` or `listen:` is not ADDR:PORT.
    case badListen(String)
    /// Neither `$RUNBOOK_SERVE_TOKEN` nor the configuration's `token_file` gives a token.
    case noToken
    /// The token file cannot be read.
    case unreadableTokenFile(String)
    /// The token is too short to be a secret.
    case shortToken(Int)
    /// The server could not start (the address in use) or failed.
    case cannotRun(listen: String, reason: String)

    /// The shortest token taken.
    public static let minimumTokenLength = 16

    public var summary: String {
        switch self {
        case .badListen(let text): return "the listen address \(text) is not ADDR:PORT"
        case .noToken: return "no bearer token: the Alertmanager intake never runs without one"
        case .unreadableTokenFile(let path): return "cannot read the token file \(path)"
        case .shortToken(let count):
            return "the bearer token has \(count) characters; at least \(Self.minimumTokenLength) are needed"
        case .cannotRun(let listen, let reason): return "the service on \(listen) stopped: \(reason)"
        }
    }

    public var hint: String? {
        switch self {
        case .badListen: return "e.g. --listen 127.0.0.1:9099 or --listen [::1]:9099"
        case .noToken, .unreadableTokenFile, .shortToken:
            return "export RUNBOOK_SERVE_TOKEN=$(openssl rand -hex 32), or name a file holding it with token_file "
                + "in the --config file (docs/serve.md)"
        case .cannotRun: return "is another process listening there? choose another port with --listen"
        }
    }

    public var exitStatus: ExitStatus {
        if case .cannotRun = self { return .refused }
        return .usage
    }

    /// `$RUNBOOK_SERVE_TOKEN`, else the first line of the configuration's `token_file`.
    static func token(environment: [String: String], configuration: ServeConfiguration) throws -> String {
        var token = environment["RUNBOOK_SERVE_TOKEN"]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if token.isEmpty, let path = configuration.tokenFile {
            guard let data = FileManager.default.contents(atPath: path) else { throw Self.unreadableTokenFile(path) }
            token =
                String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).first
                .map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        }
        guard !token.isEmpty else { throw Self.noToken }
        guard token.count >= minimumTokenLength else { throw Self.shortToken(token.count) }
        return token
    }
}
