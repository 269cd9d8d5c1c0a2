import BillingStore
import Foundation
import TestSupport
import Testing

/// Records the broker no longer has are never skipped silently: the partition is paused and reported,
/// and only an operator's audited `--accept-gap` moves it on.
@Suite("Offset gaps")
struct OffsetGapTests {
    /// Runs billingd until `condition` holds, then stops it with SIGTERM and checks it exits 0.
    static func run(
        _ setup: Scratch, bootstrap: String, name: String, arguments: [String] = [], until condition: (_ log: String) throws -> Bool
    ) async throws -> String {
        let daemon = try BillingdProcess(
            arguments: ["--config", setup.config.path] + arguments, environment: ["BILLINGD_KAFKA_BROKERS": bootstrap],
            logFile: setup.log(name))
        let reached = try await Harness.eventually(timeout: .seconds(40)) { try condition(daemon.log) }
        daemon.signal(SIGTERM)
        let status = try await daemon.waitForExit(timeout: .seconds(20))
        #expect(reached, "\(name): the condition was reached; log:\n\(daemon.log)")
        #expect(status == 0, "\(name): exit status; log:\n\(daemon.log)")
        return daemon.log
    }

    @Test("a burst beyond the broker's retention: the partition is paused and reported, and only an accepted gap resumes it")
    func burstBeyondRetention() async throws {
        let setup = try Scratch("gap-burst")
        let (broker, bootstrap) = try await setup.startBroker()
        defer { broker.signal(SIGTERM) }
        try Harness.kcatProduce(bootstrap, topic: "orders", partition: 0, lines: (0..<100).map { "junk \($0)" })
        _ = try await Self.run(setup, bootstrap: bootstrap, name: "first") { _ in
            Harness.storedOffset(setup.storePath, topic: "orders", partition: 0) == 100
        }

        // While billingd is stopped, more than the embedded broker keeps (~5 MiB per partition) arrives.
        let filler = String(repeating: "x", count: 1000)
        try Harness.kcatProduce(bootstrap, topic: "orders", partition: 0, lines: (0..<8000).map { "\(filler) \($0)" })
        let bounds = try Harness.kcatLogBounds(bootstrap, topic: "orders", partition: 0)
        #expect(bounds.start > 100, "the broker dropped records billingd owes: log starts at \(bounds.start)")
        try Harness.kcatProduce(bootstrap, topic: "orders", partition: 1, lines: (0..<5).map { "other \($0)" })

        let paused = try await Self.run(setup, bootstrap: bootstrap, name: "paused") { _ in
            let store = try BillingStore.openReadOnly(path: setup.storePath)
            let gaps = try store.openGaps()
            return Harness.storedOffset(setup.storePath, topic: "orders", partition: 1) == 5 && !gaps.isEmpty
        }
        #expect(Harness.storedOffset(setup.storePath, topic: "orders", partition: 0) == 100, "nothing after the gap was processed")
        let gaps = try BillingStore.openReadOnly(path: setup.storePath).openGaps()
        #expect(gaps.count == 1)
        #expect(gaps.first?.topic == "orders" && gaps.first?.partition == 0)
        #expect(gaps.first?.expectedOffset == 100)
        #expect(gaps.first?.logStart == bounds.start)
        let errorLines = paused.split(separator: "\n").filter { $0.contains(" error ") && $0.contains("offset gap") }
        #expect(errorLines.count == 1, "the gap is logged once at error level: \(errorLines)")
        #expect(errorLines.first?.contains("kafka.expected_offset=100") == true)
        #expect(errorLines.first?.contains("kafka.log_start=\(bounds.start)") == true)

        // billingctl shows it, as a table and as JSON under "gaps".
        let table = try TestSupport.run([Harness.billingctl.path, "status", "--store", setup.storePath]).output
        #expect(table.contains("PAUSED") && table.contains("--accept-gap"), "\(table)")
        let json = try TestSupport.run([Harness.billingctl.path, "status", "--store", setup.storePath, "--format", "json"]).output
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let listed = object?["gaps"] as? [[String: Any]]
        #expect(listed?.count == 1)
        #expect(listed?.first?["expected_offset"] as? Int == 100)
        #expect(listed?.first?["log_start"] as? Int == Int(bounds.start))

        // A restart alone does not move past it.
        let stillPaused = try await Self.run(setup, bootstrap: bootstrap, name: "still-paused") { log in
            log.contains("partitions held paused on open offset gaps") && Harness.storedOffset(setup.storePath, topic: "orders", partition: 1) == 5
        }
        #expect(stillPaused.contains("kafka.partitions=orders[0]"))
        #expect(Harness.storedOffset(setup.storePath, topic: "orders", partition: 0) == 100)

        // The operator accepts the gap: reading resumes at the log's start, and the audit log says so.
        let accepted = try await Self.run(setup, bootstrap: bootstrap, name: "accepted", arguments: ["--accept-gap", "orders:0"]) { _ in
            Harness.storedOffset(setup.storePath, topic: "orders", partition: 0) == bounds.end
        }
        #expect(accepted.contains("offset gap accepted"))
        #expect(try BillingStore.openReadOnly(path: setup.storePath).openGaps().isEmpty)
        let audit = try TestSupport.sqlite(
            setup.storePath, "SELECT entity_id || '|' || action || '|' || detail FROM audit_log WHERE entity_type = 'partition'")
        #expect(audit.contains("orders:0|gap_accepted|"), "\(audit)")
        #expect(audit.contains("\"skipped_from\":\"100\""), "\(audit)")
        #expect(audit.contains("\"skipped_to\":\"\(bounds.start - 1)\""), "\(audit)")
        #expect(audit.contains("\"skipped_records\":\"\(bounds.start - 100)\""), "\(audit)")
        #expect(audit.contains("\"accepted_by\":"), "\(audit)")
        let deadLetters = try BillingStore.openReadOnly(path: setup.storePath).status().deadLetters
        #expect(Int64(deadLetters) == 100 + 5 + (bounds.end - bounds.start), "every record the broker still had was processed once")
    }

    @Test("a recreated (empty) broker is a gap, not a fresh start")
    func recreatedBroker() async throws {
        let setup = try Scratch("gap-recreated")
        var (broker, bootstrap) = try await setup.startBroker("broker-1")
        try Harness.kcatProduce(bootstrap, topic: "orders", partition: 0, lines: (0..<50).map { "junk \($0)" })
        _ = try await Self.run(setup, bootstrap: bootstrap, name: "first") { _ in
            Harness.storedOffset(setup.storePath, topic: "orders", partition: 0) == 50
        }
        broker.signal(SIGKILL)
        _ = try await broker.waitForExit(timeout: .seconds(10))

        (broker, bootstrap) = try await setup.startBroker("broker-2")
        defer { broker.signal(SIGTERM) }
        try Harness.kcatProduce(bootstrap, topic: "orders", partition: 0, lines: (0..<10).map { "new \($0)" })
        _ = try await Self.run(setup, bootstrap: bootstrap, name: "paused") { _ in
            !(try BillingStore.openReadOnly(path: setup.storePath).openGaps().isEmpty)
        }
        let gap = try BillingStore.openReadOnly(path: setup.storePath).openGaps().first
        #expect(gap?.expectedOffset == 50)
        #expect(gap?.logStart == 0 && gap?.logEnd == 10)
        #expect(Harness.storedOffset(setup.storePath, topic: "orders", partition: 0) == 50, "the new log's records were not taken for the old ones")

        _ = try await Self.run(setup, bootstrap: bootstrap, name: "accepted", arguments: ["--accept-gap", "orders:0"]) { _ in
            Harness.storedOffset(setup.storePath, topic: "orders", partition: 0) == 10
        }
        let audit = try TestSupport.sqlite(setup.storePath, "SELECT detail FROM audit_log WHERE entity_type = 'partition' AND action = 'gap_accepted'")
        #expect(audit.contains("\"resumed_at_offset\":\"0\""), "\(audit)")
        #expect(audit.contains("log was recreated"), "\(audit)")
        let letters = try await Harness.kcatRead(bootstrap, topic: "billing.dlq", atLeast: 10, timeout: .seconds(10))
        #expect(letters.compactMap(\.payload).sorted() == (0..<10).map { "new \($0)" }.sorted(), "the new log's records were each processed once")
    }

    @Test("billingd finds a broker restarted on its fixed port, and reports the empty log as a gap instead of reading it as the old one")
    func brokerRestartedOnFixedPort() async throws {
        let setup = try Scratch("gap-fixed-port")
        let port = try TestSupport.freePort()
        var (broker, bootstrap) = try await setup.startBroker("broker-1", arguments: ["--port", String(port)])
        #expect(bootstrap == "127.0.0.1:\(port)")
        try Harness.kcatProduce(bootstrap, topic: "orders", partition: 0, lines: (0..<30).map { "junk \($0)" })
        let daemon = try BillingdProcess(
            arguments: ["--config", setup.config.path], environment: ["BILLINGD_KAFKA_BROKERS": bootstrap],
            logFile: setup.log("billingd"))
        defer { daemon.signal(SIGKILL) }
        #expect(try await Harness.eventually { Harness.storedOffset(setup.storePath, topic: "orders", partition: 0) == 30 })

        // The broker dies and comes back, empty, on the same port; billingd keeps running and reconnects.
        broker.signal(SIGKILL)
        _ = try await broker.waitForExit(timeout: .seconds(10))
        let restarted = try await setup.startBroker("broker-2", arguments: ["--port", String(port)])
        broker = restarted.process
        defer { broker.signal(SIGTERM) }
        #expect(restarted.bootstrap == bootstrap, "the broker took its port again")
        try Harness.kcatProduce(bootstrap, topic: "orders", partition: 0, lines: (0..<5).map { "new \($0)" })
        #expect(try await Harness.eventually(timeout: .seconds(60)) {
            !((try? BillingStore.openReadOnly(path: setup.storePath).openGaps()) ?? []).isEmpty
        }, "log:\n\(daemon.log)")
        let gap = try BillingStore.openReadOnly(path: setup.storePath).openGaps().first
        // The gap may be seen before or after the new records arrive: the new log ends at 0 or 5 then.
        #expect(gap?.topic == "orders" && gap?.partition == 0 && gap?.expectedOffset == 30 && gap?.logStart == 0)
        #expect(gap?.logEnd == 0 || gap?.logEnd == 5, "\(String(describing: gap))")
        #expect(Harness.storedOffset(setup.storePath, topic: "orders", partition: 0) == 30, "nothing of the new log was taken for the old one")
        #expect(daemon.isRunning)
        daemon.signal(SIGTERM)
        #expect(try await daemon.waitForExit(timeout: .seconds(15)) == 0)

        _ = try await Self.run(setup, bootstrap: bootstrap, name: "accepted", arguments: ["--accept-gap", "orders:0"]) { _ in
            Harness.storedOffset(setup.storePath, topic: "orders", partition: 0) == 5
        }
    }
}
