import BillingKafka
import Foundation

import TestSupport
import Testing

@Suite("Producer and consumer against the embedded cluster")
struct EmbeddedClusterTests {
    @Test("records round-trip with keys, headers, empty and NULL payloads")
    func roundTrip() async throws {
        let topic = KafkaTestSupport.uniqueName("roundtrip")
        let cluster = try EmbeddedKafkaCluster(topics: [topic: 2])
        defer { cluster.shutdown() }
        let producer = try KafkaTestSupport.producer(cluster)
        let records = [
            ProducerRecord(topic: topic, key: "c-1", value: "{\"a\":1}", headers: [KafkaHeader(name: "h", string: "v")]),
            ProducerRecord(topic: topic, key: "c-1", value: ""),
            ProducerRecord(topic: topic, key: Array("c-1".utf8), value: nil),
        ]
        let reports = try await producer.sendAll(records).map { try $0.get() }
        #expect(Set(reports.map(\.topicPartition)).count == 1, "one key, one partition")
        #expect(reports.map(\.offset) == [0, 1, 2])
        await producer.close()

        let consumer = try KafkaConsumer(
            configuration: KafkaTestSupport.consumerConfiguration(cluster, group: "g", topics: [topic]),
            logger: KafkaTestSupport.logger
        ) { _ in [:] }
        let messages = try await KafkaTestSupport.drain(consumer, count: 3)
        await consumer.close()
        #expect(messages.count == 3)
        #expect(messages[0].value == Array("{\"a\":1}".utf8))
        #expect(messages[0].headers.string("h") == "v")
        #expect(messages[0].key == Array("c-1".utf8))
        #expect(messages[1].value == [], "empty payload stays empty, not NULL")
        #expect(messages[2].value == nil, "NULL payload is a tombstone")
        #expect(messages.map(\.offset) == [0, 1, 2])
    }

    @Test("kcat, an outside client, produces what our consumer reads and reads what we produce")
    func kcatInterop() async throws {
        let topic = KafkaTestSupport.uniqueName("kcat")
        let cluster = try EmbeddedKafkaCluster(topics: [topic: 1])
        defer { cluster.shutdown() }
        let lines = (1...50).map { "k\($0 % 5):line-\($0)" }.joined(separator: "\n") + "\n"
        let produced = try TestSupport.run(["kcat", "-b", cluster.bootstrapServers, "-t", topic, "-P", "-K:"], stdin: Data(lines.utf8))
        #expect(produced.status == 0)

        let consumer = try KafkaConsumer(
            configuration: KafkaTestSupport.consumerConfiguration(cluster, group: "g", topics: [topic]),
            logger: KafkaTestSupport.logger
        ) { _ in [:] }
        let messages = try await KafkaTestSupport.drain(consumer, count: 50)
        await consumer.close()
        #expect(messages.count == 50)
        #expect(messages.compactMap { $0.value.map { String(decoding: $0, as: UTF8.self) } } == (1...50).map { "line-\($0)" })
        #expect(String(decoding: messages[0].key ?? [], as: UTF8.self) == "k1")

        let producer = try KafkaTestSupport.producer(cluster)
        try await producer.send(ProducerRecord(topic: topic, key: "ours", value: "from-swift", headers: [KafkaHeader(name: "x-test", string: "1")]))
        await producer.close()
        let read = try TestSupport.run(["kcat", "-b", cluster.bootstrapServers, "-t", topic, "-C", "-o", "50", "-e", "-q", "-f", "%k=%s;%h\n"])
        #expect(read.output == "ours=from-swift;x-test=1\n")
    }

    @Test("two consumers in one group split the partitions and see every record once")
    func groupSplit() async throws {
        let topic = KafkaTestSupport.uniqueName("split")
        let cluster = try EmbeddedKafkaCluster(topics: [topic: 4])
        defer { cluster.shutdown() }
        let producer = try KafkaTestSupport.producer(cluster)
        let total = 2000
        let results = try await producer.sendAll((0..<total).map { ProducerRecord(topic: topic, key: "customer-\($0 % 97)", value: "\($0)") })
        #expect(results.allSatisfy { (try? $0.get()) != nil })
        await producer.close()

        let config = KafkaTestSupport.consumerConfiguration(cluster, group: "split", topics: [topic])
        // The callers' shared "store" of next offsets, advanced after each batch.
        let stored = Locked<[TopicPartition: Int64]>([:])
        let supply: @Sendable ([TopicPartition]) -> [TopicPartition: StartingOffset] = { partitions in
            stored.withLock { offsets in Dictionary(uniqueKeysWithValues: partitions.map { ($0, offsets[$0].map(StartingOffset.offset) ?? .beginning) }) }
        }
        let first = try KafkaConsumer(configuration: config, logger: KafkaTestSupport.logger, startingOffsets: supply)
        let second = try KafkaConsumer(configuration: config, logger: KafkaTestSupport.logger, startingOffsets: supply)
        let seen = Locked<[String: Int]>([:])
        let owners = Locked<[TopicPartition: Set<Int>]>([:])
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, consumer) in [first, second].enumerated() {
                group.addTask {
                    let deadline = ContinuousClock.now.advanced(by: .seconds(40))
                    var sawAssignment = false
                    while ContinuousClock.now < deadline {
                        let batch = try await consumer.nextBatch(maxMessages: 200, maxWait: .milliseconds(200))
                        sawAssignment = sawAssignment || !consumer.assignment.isEmpty
                        for message in batch.messages {
                            seen.withLock { $0[String(decoding: message.value!, as: UTF8.self), default: 0] += 1 }
                            owners.withLock { _ = $0[message.topicPartition, default: []].insert(index) }
                        }
                        stored.withLock { offsets in
                            for (partition, next) in batch.nextOffsets { offsets[partition] = max(offsets[partition] ?? 0, next) }
                        }
                        if seen.withLock({ $0.count }) == total && sawAssignment && first.assignment.count + second.assignment.count == 4 { break }
                    }
                }
            }
            try await group.waitForAll()
        }
        let firstAssignment = first.assignment
        let secondAssignment = second.assignment
        await first.close()
        await second.close()
        let counts = seen.withLock { $0 }
        #expect(counts.count == total)
        #expect(counts.values.allSatisfy { $0 == 1 }, "every record exactly once")
        #expect(firstAssignment.isDisjoint(with: secondAssignment))
        #expect(firstAssignment.count + secondAssignment.count == 4)
        #expect(!firstAssignment.isEmpty && !secondAssignment.isEmpty, "both members got partitions")
    }

    @Test("after a rebalance each consumer resumes at the offsets its caller supplies")
    func resumeAtSuppliedOffsets() async throws {
        let topic = KafkaTestSupport.uniqueName("resume")
        let cluster = try EmbeddedKafkaCluster(topics: [topic: 2])
        defer { cluster.shutdown() }
        let producer = try KafkaTestSupport.producer(cluster)
        for partition in Int32(0)..<2 {
            _ = try await producer.sendAll((0..<100).map { ProducerRecord(topic: topic, partition: partition, key: nil, value: Array("p\(partition)-\($0)".utf8)) })
        }
        await producer.close()

        // The "store": the next offset for each partition, as a caller would persist it.
        let stored = Locked<[TopicPartition: Int64]>([
            TopicPartition(topic: topic, partition: 0): 40,
            TopicPartition(topic: topic, partition: 1): 75,
        ])
        let asked = Locked<[[TopicPartition]]>([])
        let supply: @Sendable ([TopicPartition]) -> [TopicPartition: StartingOffset] = { partitions in
            asked.withLock { $0.append(partitions.sorted()) }
            return stored.withLock { offsets in
                Dictionary(uniqueKeysWithValues: partitions.map { ($0, offsets[$0].map(StartingOffset.offset) ?? .beginning) })
            }
        }
        let config = KafkaTestSupport.consumerConfiguration(cluster, group: "resume", topics: [topic])
        let first = try KafkaConsumer(configuration: config, logger: KafkaTestSupport.logger, startingOffsets: supply)
        let before = try await KafkaTestSupport.drain(first, count: 60 + 25)
        #expect(before.count == 85)
        #expect(before.filter { $0.partition == 0 }.first?.offset == 40)
        #expect(before.filter { $0.partition == 1 }.first?.offset == 75)

        // The caller "persists" progress mid-way, then a second member joins and forces a rebalance.
        stored.withLock {
            $0[TopicPartition(topic: topic, partition: 0)] = 90
            $0[TopicPartition(topic: topic, partition: 1)] = 95
        }
        let second = try KafkaConsumer(configuration: config, logger: KafkaTestSupport.logger, startingOffsets: supply)
        var after: [ConsumedMessage] = []
        let deadline = ContinuousClock.now.advanced(by: .seconds(40))
        while after.count < 15, ContinuousClock.now < deadline {
            async let a = first.nextBatch(maxMessages: 100, maxWait: .milliseconds(200))
            async let b = second.nextBatch(maxMessages: 100, maxWait: .milliseconds(200))
            let batches = try await [a, b]
            // Like a real caller: persist progress before asking for more, so a later rebalance resumes after it.
            for batch in batches {
                after += batch.messages
                stored.withLock { offsets in
                    for (partition, next) in batch.nextOffsets { offsets[partition] = max(offsets[partition] ?? 0, next) }
                }
            }
        }
        // Nothing more arrives: no record is delivered twice.
        try await Task.sleep(for: .milliseconds(500))
        for consumer in [first, second] {
            after += try await consumer.nextBatch(maxMessages: 100, maxWait: .milliseconds(200)).messages
        }
        await first.close()
        await second.close()
        #expect(after.count == 15, "10 left on partition 0 and 5 on partition 1, each once")
        #expect(after.filter { $0.partition == 0 }.map(\.offset) == Array(90..<100))
        #expect(after.filter { $0.partition == 1 }.map(\.offset) == Array(95..<100))
        #expect(asked.withLock { $0.count } >= 3, "asked on the first assignment and again for each member after the rebalance")
    }

    @Test("a batch ends at the record that reaches the byte limit; a larger record still comes, alone")
    func byteLimit() async throws {
        let topic = KafkaTestSupport.uniqueName("bytes")
        let cluster = try EmbeddedKafkaCluster(topics: [topic: 1])
        defer { cluster.shutdown() }
        let producer = try KafkaTestSupport.producer(cluster)
        // 20 records of 4 + 1000 bytes, then one of 5000 bytes: past the limit by itself.
        var records = (0..<20).map { ProducerRecord(topic: topic, key: Array("k-\($0 % 10)\($0 / 10)".utf8), value: [UInt8](repeating: 0x61, count: 1000)) }
        records.append(ProducerRecord(topic: topic, key: nil, value: [UInt8](repeating: 0x62, count: 5000)))
        _ = try await producer.sendAll(records).map { try $0.get() }
        await producer.close()
        let consumer = try KafkaConsumer(
            configuration: KafkaTestSupport.consumerConfiguration(cluster, group: "bytes", topics: [topic]),
            logger: KafkaTestSupport.logger
        ) { _ in [:] }
        var batches: [[ConsumedMessage]] = []
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        while batches.joined().count < 21, ContinuousClock.now < deadline {
            let batch = try await consumer.nextBatch(maxMessages: 100, maxBytes: 3000, maxWait: .milliseconds(200)).messages
            if !batch.isEmpty { batches.append(batch) }
        }
        await consumer.close()
        #expect(batches.joined().map(\.offset) == Array(0..<21), "every record once, in order")
        // Three records of 1,004 bytes reach 3,000: no batch holds more, and once fetched they come three at a time.
        #expect(batches.allSatisfy { $0.count <= 3 })
        #expect(batches.contains { $0.count == 3 })
        #expect(batches.last?.last?.value?.count == 5000)
    }

    @Test("a paused partition delivers nothing until resumed")
    func pauseResume() async throws {
        let topic = KafkaTestSupport.uniqueName("pause")
        let cluster = try EmbeddedKafkaCluster(topics: [topic: 2])
        defer { cluster.shutdown() }
        let consumer = try KafkaConsumer(
            configuration: KafkaTestSupport.consumerConfiguration(cluster, group: "pause", topics: [topic]),
            logger: KafkaTestSupport.logger
        ) { _ in [:] }
        // Wait for the assignment before pausing.
        let deadline = ContinuousClock.now.advanced(by: .seconds(20))
        while consumer.assignment.count < 2, ContinuousClock.now < deadline {
            _ = try await consumer.nextBatch(maxMessages: 10, maxWait: .milliseconds(200))
        }
        let paused = TopicPartition(topic: topic, partition: 1)
        try consumer.pause([paused])
        let producer = try KafkaTestSupport.producer(cluster)
        for partition in Int32(0)..<2 {
            _ = try await producer.sendAll((0..<10).map { ProducerRecord(topic: topic, partition: partition, key: nil, value: [UInt8($0)]) })
        }
        await producer.close()
        var whilePaused: [ConsumedMessage] = []
        for _ in 0..<10 {
            whilePaused += try await consumer.nextBatch(maxMessages: 100, maxWait: .milliseconds(100)).messages
        }
        #expect(whilePaused.count == 10)
        #expect(whilePaused.allSatisfy { $0.partition == 0 })
        try consumer.resume([paused])
        let afterResume = try await KafkaTestSupport.drain(consumer, count: 10, timeout: .seconds(10))
        await consumer.close()
        #expect(afterResume.count == 10)
        #expect(afterResume.allSatisfy { $0.partition == 1 })
    }
}

@Suite("The embedded broker on a fixed port")
struct EmbeddedPortTests {
    @Test("a broker on a fixed port listens there, a second one on it is refused, and a new one after it takes it again")
    func fixedPort() throws {
        let port = try TestSupport.freePort()
        let first = try EmbeddedKafkaCluster(topics: ["t": 1], port: port)
        #expect(first.bootstrapServers.hasSuffix(":\(port)"), "\(first.bootstrapServers)")
        #expect(throws: KafkaError.self) { try EmbeddedKafkaCluster(topics: ["t": 1], port: port) }
        let metadata = try TestSupport.run(["kcat", "-b", "127.0.0.1:\(port)", "-L", "-t", "t"]).output
        #expect(metadata.contains("topic \"t\" with 1 partitions"), "\(metadata)")
        first.shutdown()
        let again = try EmbeddedKafkaCluster(topics: ["t": 1], port: port)
        defer { again.shutdown() }
        #expect(again.bootstrapServers == first.bootstrapServers)
        // Other binds in the process are untouched: a second cluster without a port gets a free one.
        let other = try EmbeddedKafkaCluster(topics: ["t": 1])
        defer { other.shutdown() }
        #expect(!other.bootstrapServers.hasSuffix(":\(port)"))
    }
}
