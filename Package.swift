// swift-tools-version: 6.2
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "billingd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "billingd", targets: ["billingd"]),
        .executable(name: "billingctl", targets: ["billingctl"]),
        .executable(name: "billing-bench", targets: ["billing-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0", traits: ["JSON", "YAML"]),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        .target(name: "CMockListener"),
        .target(
            name: "BillingKafka",
            dependencies: [
                "CRdKafka", "CMockListener",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "BillingCore",
            swiftSettings: strictSettings
        ),
        .target(
            name: "CSQLiteTuning",
            linkerSettings: [.linkedLibrary("sqlite3")]
        ),
        .target(
            name: "BillingStore",
            dependencies: [
                "BillingCore", "CSQLiteTuning",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "BillingService",
            dependencies: [
                "BillingCore", "BillingKafka", "BillingStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "billingd",
            dependencies: [
                "BillingService", "BillingKafka", "BillingStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "billingctl",
            dependencies: [
                "BillingStore", "BillingCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "billing-bench",
            dependencies: [
                "BillingKafka", "BillingStore", "BillingCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: strictSettings),
        .testTarget(name: "BillingCoreTests", dependencies: ["BillingCore", "TestSupport"], exclude: ["FuzzCorpus"], swiftSettings: strictSettings),
        .testTarget(name: "BillingKafkaTests", dependencies: ["BillingKafka", "TestSupport"], swiftSettings: strictSettings),
        .testTarget(
            name: "BillingStoreTests", dependencies: ["BillingStore", "BillingCore", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strictSettings),
        .testTarget(
            name: "BillingServiceTests",
            dependencies: [
                "BillingService", "BillingKafka", "BillingStore", "BillingCore", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "BillingService", "BillingKafka", "BillingStore", "BillingCore", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)
