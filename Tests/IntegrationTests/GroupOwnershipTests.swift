import BillingStore
import Foundation
import TestSupport
import Testing

/// One consumer group, one billingd, one store: a wrong store path, another group's store and a second
/// billingd in the group are refused before they take anything in.
@Suite("One owner per store and group")
struct GroupOwnershipTests {
    static func start(_ setup: Scratch, bootstrap: String, store: String, name: String, arguments: [String] = [], group: String? = nil) throws -> BillingdProcess {
        var environment = ["BILLINGD_KAFKA_BROKERS": bootstrap, "BILLINGD_STORE_PATH": store]
        if let group { environment["BILLINGD_KAFKA_GROUP_ID"] = group }
        return try BillingdProcess(
            arguments: ["--config", setup.config.path] + arguments, environment: environment, logFile: setup.log(name))
    }

    @Test("a new store while the group has committed offsets is refused (nothing left behind) unless --new-store; another group's store is refused")
    func wrongStorePathAndGroup() async throws {
        let setup = try Scratch("new-store", storeInConfig: false, sessionTimeoutMilliseconds: 6000, shutdownTimeoutMilliseconds: 4000)
        let (broker, bootstrap) = try await setup.startBroker()
        defer { broker.signal(SIGTERM) }
        try Harness.kcatProduce(bootstrap, topic: "orders", lines: (0..<20).map { "k\($0):junk \($0)" })
        let first = try Self.start(setup, bootstrap: bootstrap, store: setup.store("a"), name: "first")
        #expect(try await Harness.eventually { Harness.storedRecords(setup.store("a"), topics: ["orders"]) == 20 })
        // The offsets reach Kafka after the store (for lag tools); give the commit a moment.
        try await Task.sleep(for: .seconds(1))
        first.signal(SIGTERM)
        #expect(try await first.waitForExit(timeout: .seconds(15)) == 0)

        // A mistyped path: a new, empty store while the group has offsets at the broker.
        let wrong = try Self.start(setup, bootstrap: bootstrap, store: setup.store("typo"), name: "typo")
        #expect(try await wrong.waitForExit(timeout: .seconds(30)) == 78, "log:\n\(wrong.log)")
        #expect(wrong.log.contains("--new-store") && wrong.log.contains("committed offsets"))
        #expect(!FileManager.default.fileExists(atPath: setup.store("typo")), "the refused store is not left behind")
        #expect(Harness.storedRecords(setup.store("a"), topics: ["orders"]) == 20)

        // On purpose: --new-store reads every log from its start, and the audit log says so.
        let fresh = try Self.start(setup, bootstrap: bootstrap, store: setup.store("fresh"), name: "fresh", arguments: ["--new-store"])
        #expect(try await Harness.eventually { Harness.storedRecords(setup.store("fresh"), topics: ["orders"]) == 20 })
        fresh.signal(SIGTERM)
        #expect(try await fresh.waitForExit(timeout: .seconds(15)) == 0)
        let audit = try TestSupport.sqlite(setup.store("fresh"), "SELECT action || ' ' || detail FROM audit_log WHERE entity_type = 'store';")
        #expect(audit.contains("created") && audit.contains("\"new_store_flag\":\"yes\""), "\(audit)")

        // The first store with another consumer group configured.
        let otherGroup = try Self.start(setup, bootstrap: bootstrap, store: setup.store("a"), name: "other-group", group: "someone-else")
        #expect(try await otherGroup.waitForExit(timeout: .seconds(30)) == 78, "log:\n\(otherGroup.log)")
        #expect(otherGroup.log.contains("belongs to consumer group billingd"))
    }

    @Test("a second billingd (own store) joining the group stops before it takes anything in; the first keeps every partition")
    func secondInstanceInGroup() async throws {
        let setup = try Scratch("two-in-group", storeInConfig: false, sessionTimeoutMilliseconds: 6000, shutdownTimeoutMilliseconds: 4000)
        let (broker, bootstrap) = try await setup.startBroker()
        defer { broker.signal(SIGTERM) }
        try Harness.kcatProduce(bootstrap, topic: "orders", lines: (0..<20).map { "k\($0):junk \($0)" })
        let first = try Self.start(setup, bootstrap: bootstrap, store: setup.store("a"), name: "first")
        defer { first.signal(SIGKILL) }
        #expect(try await Harness.eventually { Harness.storedRecords(setup.store("a"), topics: ["orders"]) == 20 })

        let second = try Self.start(setup, bootstrap: bootstrap, store: setup.store("b"), name: "second", arguments: ["--new-store"])
        #expect(try await second.waitForExit(timeout: .seconds(60)) == 78, "log:\n\(second.log)")
        #expect(second.log.contains("another member of consumer group billingd holds"), "log:\n\(second.log)")
        #expect(Harness.storedRecords(setup.store("b"), topics: ["orders"]) == 0, "the second took nothing in")
        #expect(first.isRunning, "the first goes on; log:\n\(first.log)")

        // The first gets every partition back and takes in what comes next.
        try Harness.kcatProduce(bootstrap, topic: "orders", lines: (20..<40).map { "k\($0):junk \($0)" })
        #expect(try await Harness.eventually(timeout: .seconds(60)) { Harness.storedRecords(setup.store("a"), topics: ["orders"]) == 40 }, "log:\n\(first.log)")
        #expect(first.isRunning)
        first.signal(SIGTERM)
        #expect(try await first.waitForExit(timeout: .seconds(15)) == 0)
    }
}
