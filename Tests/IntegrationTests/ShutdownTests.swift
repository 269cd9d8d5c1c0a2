import BillingCore
import BillingStore
import Foundation
import TestSupport
import Testing

@Suite("Shutdown")
struct ShutdownTests {
    @Test("SIGTERM while the broker does not answer and the outbox holds rows: exit 0 within the limit, rows kept and published after restart")
    func sigtermWithBrokerStopped() async throws {
        let setup = try Scratch("stop-broker-down", shutdownTimeoutMilliseconds: 4000)
        let (config, storePath) = (setup.config, setup.storePath)
        let (broker, bootstrap) = try await setup.startBroker()
        defer {
            broker.signal(SIGCONT)
            broker.signal(SIGTERM)
        }
        // A store whose outbox holds rows billingd has not published yet.
        let rows = 300
        do {
            let store = try BillingStore.openForWriting(path: storePath)
            let messages = (0..<rows).map {
                OutboundMessage(topic: "billing.events", key: Array("c\($0 % 7)".utf8), value: Array("{\"n\":\($0)}".utf8))
            }
            try await store.recordBatch(IngestBatch(offsets: [], outbox: messages, processedAt: Date()))
        }
        #expect(try BillingStore.openReadOnly(path: storePath).status().outboxPending == rows)

        // The broker stops answering (its connections stay open), then billingd starts and is stopped.
        broker.signal(SIGSTOP)
        let environment = ["BILLINGD_KAFKA_BROKERS": bootstrap]
        let daemon = try BillingdProcess(
            arguments: ["--config", config.path], environment: environment, logFile: setup.log("billingd-1"))
        // It waits for the brokers to answer before it joins its group; the relay meanwhile tries to publish.
        #expect(try await Harness.eventually(timeout: .seconds(15)) { daemon.log.contains("trying again") })
        try await Task.sleep(for: .seconds(2))
        let clock = ContinuousClock()
        let stopAt = clock.now
        daemon.signal(SIGTERM)
        let status = try await daemon.waitForExit(timeout: .seconds(30))
        let took = stopAt.duration(to: clock.now)
        #expect(status == 0, "exit status (log:\n\(daemon.log))")
        #expect(took < .milliseconds(4000 + 1500), "stopped within shutdown.timeout_ms: \(took)")
        #expect(!daemon.log.contains("Fatal error"))
        #expect(daemon.log.contains("outbox rows wait in the store"), "the log says how many rows wait")
        #expect(try BillingStore.openReadOnly(path: storePath).status().outboxPending == rows, "no row was lost or marked published")

        // The broker answers again: the next start publishes every row once.
        broker.signal(SIGCONT)
        let again = try BillingdProcess(
            arguments: ["--config", config.path], environment: environment, logFile: setup.log("billingd-2"))
        #expect(try await Harness.eventually { (try? BillingStore.openReadOnly(path: storePath).status().outboxPending) == 0 })
        again.signal(SIGTERM)
        #expect(try await again.waitForExit(timeout: .seconds(20)) == 0)
        let published = try await Harness.kcatRead(bootstrap, topic: "billing.events", atLeast: rows)
        #expect(Set(published.compactMap(\.payload)) == Set((0..<rows).map { "{\"n\":\($0)}" }))
    }

    @Test("SIGTERM while billingd still waits for a broker that does not answer at start ends the wait at once")
    func sigtermWhileWaitingForTheBroker() async throws {
        let setup = try Scratch("stop-before-join", shutdownTimeoutMilliseconds: 10000)
        let (broker, bootstrap) = try await setup.startBroker()
        defer {
            broker.signal(SIGCONT)
            broker.signal(SIGTERM)
        }
        broker.signal(SIGSTOP)
        let daemon = try BillingdProcess(
            arguments: ["--config", setup.config.path], environment: ["BILLINGD_KAFKA_BROKERS": bootstrap], logFile: setup.log("billingd"))
        #expect(try await Harness.eventually(timeout: .seconds(15)) { daemon.log.contains("billingd started") })
        // Its first question to the brokers is in flight now (it waits up to 5 s for an answer).
        try await Task.sleep(for: .seconds(1))
        let clock = ContinuousClock()
        let stopAt = clock.now
        daemon.signal(SIGTERM)
        let status = try await daemon.waitForExit(timeout: .seconds(20))
        let took = stopAt.duration(to: clock.now)
        #expect(status == 0, "log:\n\(daemon.log)")
        #expect(took < .seconds(3), "the wait for the brokers ended with the stop: \(took)")
        #expect(!daemon.log.contains("consuming"), "it never joined the group")
    }
}
