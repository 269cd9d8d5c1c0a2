import BillingKafka
import BillingStore
import Foundation
import TestSupport
import Testing

@Suite("billingd as a process")
struct ProcessLifecycleTests {
    static func configFile(in directory: URL, extra: String = "") throws -> URL {
        let file = directory.appendingPathComponent("billingd.yaml")
        try """
            kafka:
              brokers: embedded
              embedded:
                partitions: 2
                bootstrap_file: \(directory.appendingPathComponent("broker.bootstrap").path)
            store:
              path: \(directory.appendingPathComponent("billing.sqlite").path)
            outbox:
              poll_interval_ms: 100
            \(extra)
            """.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    @Test("SIGTERM in the middle of a stream ends billingd cleanly with exit code 0")
    func sigtermMidStream() async throws {
        let directory = try TestSupport.temporaryDirectory("sigterm")
        let config = try Self.configFile(in: directory)
        let storePath = directory.appendingPathComponent("billing.sqlite").path
        let bootstrapFile = directory.appendingPathComponent("broker.bootstrap").path
        let daemon = try BillingdProcess(arguments: ["--config", config.path], environment: [:], logFile: directory.appendingPathComponent("billingd.log"))
        #expect(try await Harness.eventually { FileManager.default.fileExists(atPath: bootstrapFile) }, "the broker address file appears")
        let bootstrap = try String(contentsOfFile: bootstrapFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)

        // Stream bad records (each becomes a dead letter) until told to stop.
        let producer = try KafkaProducer(
            configuration: KafkaProducerConfiguration(
                client: KafkaClientConfiguration(bootstrapServers: bootstrap), messageTimeoutMilliseconds: 1500),
            logger: Harness.quietLogger)
        let streaming = Task {
            var sent = 0
            while !Task.isCancelled {
                let results = try await producer.sendAll((0..<50).map { ProducerRecord(topic: "orders", key: "c\(($0 + sent) % 17)", value: "not json \($0 + sent)") })
                sent += results.count
                try? await Task.sleep(for: .milliseconds(20))
            }
            return sent
        }
        #expect(try await Harness.eventually { Harness.storedRecords(storePath, topics: ["orders"]) > 200 }, "billingd makes progress")
        daemon.signal(SIGTERM)
        let clock = ContinuousClock()
        let start = clock.now
        let status = try await daemon.waitForExit(timeout: .seconds(20))
        let stopTook = start.duration(to: clock.now)
        streaming.cancel()
        _ = try? await streaming.value
        await producer.close(timeout: .milliseconds(100))

        #expect(status == 0, "exit status; log:\n\(daemon.log)")
        #expect(stopTook < .seconds(12), "stopped within the shutdown limit")
        #expect(daemon.log.contains("billingd stopped"))
        // Every record billingd took in is accounted for, and what it owed the DLQ was published.
        let store = try BillingStore.openReadOnly(path: storePath)
        let stored = try store.nextOffsets(topics: ["orders"]).reduce(0) { $0 + $1.nextOffset }
        let report = try store.status()
        #expect(Int64(report.deadLetters) == stored)
        #expect(report.outboxPending == 0, "the relay drained the outbox before exiting")
    }

    @Test("a bad configuration stops billingd at start with the key named")
    func badConfiguration() async throws {
        let directory = try TestSupport.temporaryDirectory("badconfig")
        let config = try Self.configFile(in: directory, extra: "log:\n  level: chatty\n")
        let daemon = try BillingdProcess(arguments: ["--config", config.path], environment: [:], logFile: directory.appendingPathComponent("billingd.log"))
        let status = try await daemon.waitForExit(timeout: .seconds(10))
        #expect(status != nil && status != 0)
        #expect(daemon.log.contains("log.level"))
        #expect(daemon.log.contains("BILLINGD_LOG_LEVEL"))
    }

    @Test("billingd restarted against the standalone broker resumes at its stored offsets")
    func restartAgainstStandaloneBroker() async throws {
        let directory = try TestSupport.temporaryDirectory("restart")
        let config = try Self.configFile(in: directory)
        let storePath = directory.appendingPathComponent("billing.sqlite").path
        let bootstrapFile = directory.appendingPathComponent("broker.bootstrap").path
        let broker = try BillingdProcess(arguments: ["broker", "--config", config.path], environment: [:], logFile: directory.appendingPathComponent("broker.log"))
        #expect(try await Harness.eventually { FileManager.default.fileExists(atPath: bootstrapFile) })
        let bootstrap = try String(contentsOfFile: bootstrapFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let environment = ["BILLINGD_KAFKA_BROKERS": bootstrap]

        try Harness.kcatProduce(bootstrap, topic: "orders", lines: (0..<10).map { "k\($0):junk \($0)" })
        for (round, total) in [(1, Int64(10)), (2, Int64(15))] {
            if round == 2 { try Harness.kcatProduce(bootstrap, topic: "orders", lines: (10..<15).map { "k\($0):junk \($0)" }) }
            let daemon = try BillingdProcess(arguments: ["--config", config.path], environment: environment, logFile: directory.appendingPathComponent("billingd-\(round).log"))
            #expect(try await Harness.eventually { Harness.storedRecords(storePath, topics: ["orders"]) == total }, "round \(round)")
            let drained = try await Harness.eventually {
                (try? BillingStore.openReadOnly(path: storePath).status().outboxPending) == 0
            }
            #expect(drained)
            daemon.signal(SIGTERM)
            #expect(try await daemon.waitForExit(timeout: .seconds(20)) == 0, "log:\n\(daemon.log)")
        }
        let letters = try await Harness.kcatRead(bootstrap, topic: "billing.dlq", atLeast: 15)
        let sources = letters.map { "\($0.headers["billingd.dlq.source.partition"] ?? "?")@\($0.headers["billingd.dlq.source.offset"] ?? "?")" }
        #expect(letters.count == 15, "no record processed twice across the restart")
        #expect(Set(sources).count == 15)
        broker.signal(SIGTERM)
        #expect(try await broker.waitForExit(timeout: .seconds(10)) == 0)
    }
}
