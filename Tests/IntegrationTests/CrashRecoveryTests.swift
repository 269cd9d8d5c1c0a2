import BillingStore
import Foundation
import TestSupport
import Testing

@Suite("Crash recovery")
struct CrashRecoveryTests {
    @Test("kill -9 at random points: every shipment invoiced once, gapless numbers, no outbox row lost")
    func killNineRepeatedly() async throws {
        let stream = OrderStream(orders: 2500, seed: 7)
        let directory = try TestSupport.temporaryDirectory("crash")
        let config = directory.appendingPathComponent("billingd.yaml")
        let storePath = directory.appendingPathComponent("billing.sqlite").path
        let bootstrapFile = directory.appendingPathComponent("broker.bootstrap").path
        try """
            kafka:
              session_timeout_ms: 6000
              batch_max_messages: 200
              embedded:
                partitions: 4
                bootstrap_file: \(bootstrapFile)
            store:
              path: \(storePath)
            outbox:
              poll_interval_ms: 100
              batch_size: 100
            """.write(to: config, atomically: true, encoding: .utf8)

        // The broker lives in its own process, so it keeps its data while billingd dies.
        let broker = try BillingdProcess(arguments: ["broker", "--config", config.path], environment: [:], logFile: directory.appendingPathComponent("broker.log"))
        #expect(try await Harness.eventually { FileManager.default.fileExists(atPath: bootstrapFile) })
        let bootstrap = try String(contentsOfFile: bootstrapFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let environment = ["BILLINGD_KAFKA_BROKERS": bootstrap]

        // Produce at a steady pace for the whole test, so the kills land while billingd is working.
        let producing = Task {
            var start = 0
            while start < stream.records.count {
                let end = min(start + 150, stream.records.count)
                try Harness.kcatProduce(bootstrap, topic: "orders", lines: Array(stream.records[start..<end]))
                start = end
                try await Task.sleep(for: .milliseconds(200))
            }
        }

        var random = SplitMix(seed: 2026)
        var kills = 0
        var progressAtKill: [Int64] = []
        for round in 0..<5 {
            let daemon = try BillingdProcess(
                arguments: ["--config", config.path], environment: environment, logFile: directory.appendingPathComponent("billingd-\(round).log"))
            // Wait until this run has taken in something new, then kill it at a random moment.
            let before = Harness.storedRecords(storePath, topics: ["orders"])
            _ = try await Harness.eventually(timeout: .seconds(25)) { Harness.storedRecords(storePath, topics: ["orders"]) > before }
            try await Task.sleep(for: .milliseconds(Int(random.next() % 1500)))
            daemon.signal(SIGKILL)
            _ = try await daemon.waitForExit(timeout: .seconds(5))
            kills += 1
            progressAtKill.append(Harness.storedRecords(storePath, topics: ["orders"]))
        }
        try await producing.value

        // A last run to finish the work, then a clean stop.
        let final = try BillingdProcess(arguments: ["--config", config.path], environment: environment, logFile: directory.appendingPathComponent("billingd-final.log"))
        let total = Int64(stream.records.count)
        #expect(try await Harness.eventually { final.log.contains("consuming") }, "the last run is up before it is stopped")
        #expect(try await Harness.eventually(timeout: .seconds(90)) { Harness.storedRecords(storePath, topics: ["orders"]) == total })
        #expect(try await Harness.eventually(timeout: .seconds(30)) { (try? BillingStore.openReadOnly(path: storePath).status().outboxPending) == 0 })
        final.signal(SIGTERM)
        #expect(try await final.waitForExit(timeout: .seconds(20)) == 0)
        #expect(kills == 5)
        #expect(Set(progressAtKill).count > 1, "the kills landed at different points of the stream: \(progressAtKill)")

        let events = try await Harness.kcatRead(bootstrap, topic: "billing.events", atLeast: stream.shipments.count + stream.payments)
            .compactMap(PublishedEvent.init)
        let issued = events.filter { $0.type == "invoice.issued" }
        var byID: [String: String] = [:]
        for event in issued {
            if let earlier = byID[event.id] {
                #expect(earlier == event.payload, "a repeat of \(event.id) carries the same content")
            }
            byID[event.id] = event.payload
        }
        let distinct = byID.values.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }.compactMap { $0["data"] as? [String: Any] }
        let numbers = distinct.compactMap { $0["invoice_number"] as? String }.sorted()
        #expect(numbers == (1...stream.shipments.count).map { String(format: "INV-2026-%06d", $0) }, "gapless, and every invoice was published")
        let shipments = distinct.compactMap { $0["shipment_id"] as? String }
        #expect(shipments.count == Set(shipments).count, "no shipment invoiced twice")
        #expect(Set(shipments) == Set(stream.shipments.keys), "every shipment invoiced")
        #expect(Set(events.filter { $0.type == "payment.applied" }.map(\.id)).count == stream.payments)

        let store = try BillingStore.openReadOnly(path: storePath)
        let status = try store.status()
        #expect(status.invoices == stream.shipments.count)
        #expect(status.outboxPending == 0)
        #expect(status.deadLetters == 0)
        #expect(status.waitingEvents == 0)
        broker.signal(SIGTERM)
        _ = try await broker.waitForExit(timeout: .seconds(10))
    }
}
