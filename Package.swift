// swift-tools-version: 6.1
// semd: a warm semantic model daemon. See README.md and Docs/ARCHITECTURE.md.
import PackageDescription

let package = Package(
    name: "semd",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "SemanticCore", targets: ["SemanticCore"]),
        .library(name: "SemanticClient", targets: ["SemanticClient"]),
        .executable(name: "semd", targets: ["semd"]),
        .executable(name: "semctl", targets: ["semctl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // HTTP listener (OpenAI/TEI shapes) and Prometheus metrics; only semd links Hummingbird.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        // HTTP field and status types, which the HTTP listener's API uses directly (Hummingbird's own).
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // OpenBLAS through its C interface (apt: libopenblas-dev).
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        // SQLite through its C interface (apt: libsqlite3-dev), for the cass archive and its job table.
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // The engine: weights, tokenizer, kernels, models. No sockets, no process control.
        .target(name: "SemanticCore", dependencies: ["CBLAS"]),
        // MessagePack + the cass v1 protocol as pure values and bytes. No sockets.
        .target(name: "SemanticWire"),
        // System calls Swift cannot make directly (ioprio_set).
        .target(name: "CSemdSystem"),
        // Background embedding jobs as pure building blocks: FSVI files, canonicaliser, cass archive, job table.
        .target(
            name: "SemanticIndex",
            dependencies: ["SemanticCore", "CSQLite", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // Where a daemon lives on disk: socket paths, owner-only binding, lock files, connections.
        .target(name: "SemanticRuntime"),
        // The protocol-free service every door calls: model store, inference scheduler, one ledger,
        // background jobs. Typed requests with an explicit context in, typed results and errors out.
        .target(
            name: "SemanticService",
            dependencies: [
                "SemanticCore", "SemanticRuntime", "SemanticIndex", "CSemdSystem",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]
        ),
        // cass protocol v2's attestation: canonical encodings, HMAC proofs, semd's identity, key and
        // generation files, v2 socket paths, fingerprints. Takes vectors and paths, never models.
        .target(name: "SemanticAttestation", dependencies: ["SemanticWire", "SemanticRuntime", .product(name: "Crypto", package: "swift-crypto")]),
        // The socket server and its doors (cass v1, xf): decode a frame, call the service, encode.
        .target(
            name: "SemanticDaemon",
            dependencies: [
                "SemanticService", "SemanticAttestation", "SemanticCore", "SemanticWire", "SemanticRuntime", "SemanticIndex",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]
        ),
        // The optional HTTP listener: OpenAI embeddings, TEI/Cohere rerank, health, models, Prometheus
        // metrics, over the daemon's ModelHost. Kept apart so clients and semctl never link Hummingbird.
        .target(
            name: "SemanticHTTP",
            dependencies: [
                "SemanticDaemon", "SemanticService", "SemanticCore", "SemanticRuntime",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // What other programs link: connect, spawn, retry, in-process fallback.
        .target(
            name: "SemanticClient",
            dependencies: [
                "SemanticCore", "SemanticWire", "SemanticRuntime",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "semd",
            dependencies: [
                "SemanticDaemon", "SemanticService", "SemanticHTTP", "SemanticCore", "SemanticRuntime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "semctl",
            dependencies: [
                "SemanticClient", "SemanticCore", "SemanticRuntime", "SemanticWire",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Developer tooling: the benchmark workloads and the soak (`semd-bench bench|soak`). A leaf kept
        // out of the libraries' dependency graph, as swift-nio keeps its Benchmarks/; the only program
        // that calls OpenBLAS directly (the sgemm peak). Not a product: nothing outside builds on it.
        .executableTarget(
            name: "semd-bench",
            dependencies: [
                "SemanticClient", "SemanticCore", "SemanticRuntime", "SemanticWire", "SemanticTestSupport", "CBLAS",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/SemdBench"
        ),
        // Golden loaders, tolerance assertions, fixture paths and builders (cass archives, safetensors
        // files, the seeded cross-encoder), the HTTP test connection, and the harnesses for a running
        // daemon (in-process and `semd` subprocess), shared by every test target and by semd-bench.
        .target(
            name: "SemanticTestSupport",
            dependencies: [
                "SemanticCore", "SemanticIndex", "SemanticRuntime", "SemanticWire", "SemanticDaemon", "SemanticService",
                "SemanticClient", "CSQLite",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/SemanticTestSupport"
        ),
        .testTarget(name: "SemanticCoreTests", dependencies: ["SemanticCore", "SemanticTestSupport"]),
        .testTarget(name: "SemanticWireTests", dependencies: ["SemanticWire", "SemanticTestSupport"]),
        .testTarget(
            name: "SemanticDaemonTests",
            dependencies: [
                "SemanticDaemon", "SemanticService", "SemanticAttestation", "SemanticClient", "CSemdSystem", "SemanticCore", "SemanticIndex", "SemanticRuntime", "SemanticWire",
                "SemanticTestSupport", .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "SemanticRuntimeTests", dependencies: ["SemanticRuntime", "SemanticTestSupport"]),
        .testTarget(
            name: "SemanticClientTests",
            dependencies: [
                "SemanticClient", "SemanticCore", "SemanticTestSupport", "SemanticDaemon", "SemanticService", "SemanticWire", "SemanticRuntime",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "SemanticHTTPTests",
            dependencies: [
                "SemanticHTTP", "SemanticDaemon", "SemanticService", "SemanticClient", "SemanticCore", "SemanticRuntime", "SemanticWire",
                "SemanticTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // semd-bench's typed results and report lines, without running a workload.
        .testTarget(name: "SemdBenchTests", dependencies: ["semd-bench"]),
        // Runs the built semctl, semd and semd-bench as real processes (build them first: `swift build`).
        .testTarget(name: "EndToEndTests", dependencies: ["SemanticTestSupport", "SemanticRuntime"]),
        .testTarget(name: "SemanticAttestationTests", dependencies: ["SemanticAttestation", "SemanticWire", "SemanticCore", "SemanticTestSupport", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(
            name: "SemanticIndexTests",
            dependencies: ["SemanticIndex", "SemanticCore", "SemanticTestSupport", .product(name: "Crypto", package: "swift-crypto")]
        ),
    ]
)
