// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "runbook",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "runbook", targets: ["runbook"]),
        // Posts the Slack and PagerDuty notifications, so that `runbook` never loads FoundationNetworking.
        .executable(name: "runbook-http", targets: ["runbook-http"]),
        // `runbook serve`: the Alertmanager intake, /healthz, /metrics and the escalator, so that `runbook` never
        // loads an HTTP server.
        .executable(name: "runbook-serve", targets: ["runbook-serve"]),
        .library(name: "RunbookKit", targets: ["RunbookKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        // runbook-http only (never linked into runbook): an HTTP client that waits without spinning.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // RunbookPostgres only: the PostgreSQL client of the team store (docs/team-store.md).
        .package(url: "https://github.com/vapor/postgres-nio", exact: "1.33.2"),
        // runbook-serve only (never linked into runbook): the HTTP server, its lifecycle, logs and metrics.
        // Hummingbird's default traits (swift-configuration, full Foundation) are not needed.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // System libraries: a module map and a shim header each, nothing else.
        .systemLibrary(
            name: "CCmarkGFM", pkgConfig: "libcmark-gfm",
            providers: [.apt(["libcmark-gfm-dev", "libcmark-gfm-extensions-dev"])]),
        .systemLibrary(name: "CEditline", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
        // Output chunks are stored deflated: command output is repetitive, and the disk is the bottleneck.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // A few lines of C for what Swift's Glibc module hides (_GNU_SOURCE spawn attributes, openpty).
        .target(name: "CPTY", linkerSettings: [.linkedLibrary("util")]),
        // The core: no terminal I/O, no argument parsing.
        .target(
            name: "RunbookKit",
            dependencies: [
                "CCmarkGFM", "CPTY", "CZlib",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        // The PostgreSQL transcript store (team mode): the only code that imports PostgresNIO.
        .target(
            name: "RunbookPostgres",
            dependencies: [
                "RunbookKit",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]),
        // Commands, the REPL, line editing and rendering.
        .target(
            name: "RunbookCLI",
            dependencies: [
                "RunbookKit", "RunbookPostgres", "CEditline",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(name: "runbook", dependencies: ["RunbookCLI"]),
        // Posts one notification (URL and body on stdin): the only code that links FoundationNetworking.
        .executableTarget(
            name: "runbook-http",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]),
        // `runbook serve`'s logic (the webhook intake, the routes, the metrics): the only code that imports
        // Hummingbird, ServiceLifecycle and Prometheus (apart from the benchmark's serve-peer).
        .target(
            name: "RunbookServe",
            dependencies: [
                "RunbookCLI", "RunbookKit",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]),
        .executableTarget(name: "runbook-serve", dependencies: ["RunbookServe"]),
        // scripts/bench-store: the transcript store beside the sqlite3 CLI and dd.
        .executableTarget(name: "store-bench", dependencies: ["RunbookKit"], path: "Benchmarks/StoreBench"),
        // scripts/bench-team-appends: writer processes appending to one incident on PostgreSQL.
        .executableTarget(
            name: "team-bench", dependencies: ["RunbookKit", "RunbookPostgres"], path: "Benchmarks/TeamBench"),
        // scripts/bench-timers: seeds open incidents with armed timers for the escalator benchmark.
        .executableTarget(name: "timer-bench", dependencies: ["RunbookKit"], path: "Benchmarks/TimerBench"),
        // scripts/bench-serve-webhooks: the peer of `runbook serve`'s webhook intake, a minimal Hummingbird handler
        // with the same bearer check and parse (RunbookKit's AlertmanagerWebhook) and no store. It must not depend on
        // ArgumentParser, even through RunbookServe: the man-page plugin would take it for a command and run it.
        .executableTarget(
            name: "serve-peer",
            dependencies: [
                "RunbookKit",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ], path: "Benchmarks/ServePeer"),
        // scripts/fuzz: the long fuzz run of the parser, the linter and the attribute parser, in a release build.
        .executableTarget(
            name: "runbook-fuzz", dependencies: ["RunbookKit", "RunbookTestSupport"], path: "Benchmarks/Fuzz"),
        // scripts/corpus-check: what an existing corpus of runbooks becomes when this tool opens it.
        .executableTarget(name: "corpus-check", dependencies: ["RunbookKit"], path: "Benchmarks/CorpusCheck"),
        // Fakes for unit tests of logic (a test clock, a fake runner, an in-memory recorder).
        .target(name: "RunbookTestSupport", dependencies: ["RunbookKit", "CPTY"], path: "Tests/RunbookTestSupport"),
        .testTarget(
            name: "RunbookKitTests", dependencies: ["RunbookKit", "RunbookPostgres", "RunbookTestSupport"],
            // A committed copy of the seed runbook, read by the seed-coverage test; not a resource.
            exclude: ["BundledRunbooks/seed.txt"]),
        .testTarget(
            name: "RunbookCLITests",
            dependencies: ["RunbookCLI", "RunbookKit", "RunbookPostgres", "RunbookTestSupport"],
            exclude: ["Fixtures", "Golden"]),
        .testTarget(
            name: "RunbookServeTests",
            dependencies: ["RunbookServe", "RunbookCLI", "RunbookKit", "RunbookPostgres", "RunbookTestSupport"]),
    ]
)
