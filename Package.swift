// swift-tools-version: 6.0
import PackageDescription

// Swift 6 language mode (the default for tools 6.0) gives strict concurrency checking.
let package = Package(
    name: "pinads",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "pinadsd", targets: ["pinadsd"]),
        .executable(name: "pinads", targets: ["pinads"]),
        .executable(name: "pinads-sandbox", targets: ["pinads-sandbox"]),
        .executable(name: "pinads-bench", targets: ["pinads-bench"]),
        .library(name: "PinAdsProtocol", targets: ["PinAdsProtocol"]),
        .library(name: "PinAdsClient", targets: ["PinAdsClient"]),
        .library(name: "PinterestAPI", targets: ["PinterestAPI"]),
        .library(name: "PinterestSandbox", targets: ["PinterestSandbox"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.25.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
    ],
    targets: [
        // System libraries used by the Pinterest client (libcurl) and the token vault (OpenSSL).
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // glibc's malloc.h (malloc_trim, mallopt): no library to link.
        .systemLibrary(name: "CMalloc"),
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),

        // Any JSON value: a plain value type with no vocabulary, shared by the wire, Pinterest's
        // free-form objects and the store. No dependencies.
        .target(name: "PinAdsJSON"),
        // Wire types and the frame codec. No NIO. Re-exports PinAdsJSON.
        .target(name: "PinAdsProtocol", dependencies: ["PinAdsJSON"]),
        // A small blocking Unix-socket client over POSIX sockets, used by `pinads` and tests. No NIO.
        .target(name: "PinAdsClient", dependencies: ["PinAdsProtocol"]),
        // Typed client of the Pinterest v5 endpoints we use, over libcurl. Knows nothing of the daemon.
        .target(
            name: "PinterestAPI",
            dependencies: [
                "CCurl",
                "PinAdsJSON",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // A stateful local simulator of those endpoints (SwiftNIO HTTP/1). Shares no code with the
        // client, so it is a second reading of the spec, not a mirror of the client's mistakes.
        .target(
            name: "PinterestSandbox",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "pinads-sandbox",
            dependencies: [
                "PinterestSandbox",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "PinAdsStore",
            dependencies: [
                "PinAdsJSON",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        .target(
            name: "PinAdsDaemon",
            dependencies: [
                "PinAdsProtocol",
                "PinAdsStore",
                "PinterestAPI",
                "COpenSSL",
                "CMalloc",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "pinadsd",
            dependencies: [
                "PinAdsDaemon",
                "PinterestAPI",
                // `pinadsd --sandbox` runs one in-process.
                "PinterestSandbox",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "pinads",
            dependencies: [
                "PinAdsProtocol",
                "PinAdsClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Performance goals, measured against the real binaries (not a timed test).
        .executableTarget(
            name: "pinads-bench",
            dependencies: [
                "PinAdsProtocol",
                "PinAdsClient",
                "PinterestAPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .testTarget(name: "PinAdsProtocolTests", dependencies: ["PinAdsProtocol"]),
        .testTarget(
            name: "PinAdsStoreTests",
            dependencies: ["PinAdsStore", "PinAdsJSON", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // Client ↔ sandbox over real HTTP, and the contract check of the recorded traffic.
        .testTarget(
            name: "PinterestAPITests",
            dependencies: [
                "PinterestAPI", "PinterestSandbox", "PinAdsJSON",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "PinterestSandboxTests", dependencies: ["PinterestSandbox"]),
        .testTarget(
            name: "PinAdsDaemonTests",
            dependencies: [
                "PinAdsDaemon",
                "PinterestAPI",
                "PinterestSandbox",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        // Runs the real binaries over real sockets. Depending on the executables makes `swift test` build them.
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["PinAdsProtocol", "PinAdsClient", "PinterestAPI", "COpenSSL", "pinadsd", "pinads", "pinads-sandbox"]
        ),
    ]
)
