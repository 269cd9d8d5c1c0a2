import BillingKafka
import Testing

@Suite("Kafka configuration")
struct KafkaConfigurationTests {
    @Test("an unknown librdkafka property is rejected and named")
    func unknownPropertyIsNamed() {
        let configuration = KafkaClientConfiguration(bootstrapServers: "localhost:9092", properties: ["fetch.queue.backoff.ms": "5"])
        #expect {
            try configuration.validate()
        } throws: { error in
            guard let error = error as? KafkaError else { return false }
            return error.kind == .invalidConfiguration && error.property == "fetch.queue.backoff.ms"
                && "\(error)".contains("fetch.queue.backoff.ms")
        }
    }

    @Test("an invalid value of a known property is rejected and named")
    func invalidValueIsNamed() {
        let configuration = KafkaClientConfiguration(bootstrapServers: "localhost:9092", properties: ["security.protocol": "carrier-pigeon"])
        #expect {
            try configuration.validate()
        } throws: { error in
            (error as? KafkaError)?.property == "security.protocol"
        }
    }

    @Test("SASL and SSL properties pass through")
    func saslPassesThrough() throws {
        let configuration = KafkaClientConfiguration(
            bootstrapServers: "localhost:9092",
            properties: ["security.protocol": "sasl_plaintext", "sasl.mechanisms": "PLAIN", "sasl.username": "u", "sasl.password": "p"])
        try configuration.validate()
    }

    @Test("retriable and fatal classification")
    func classification() {
        let transport = KafkaError.fromResponseCodeForTesting(-195)  // _TRANSPORT
        #expect(transport.isRetriable && !transport.isFatal)
        #expect(transport.codeName == "_TRANSPORT")
        let tooLarge = KafkaError.fromResponseCodeForTesting(10)  // MSG_SIZE_TOO_LARGE
        #expect(!tooLarge.isRetriable)
    }
}

@Suite("Consumer batches")
struct ConsumerBatchTests {
    @Test("the next offset of each partition is the one after its last record, however the partitions' runs interleave")
    func nextOffsets() {
        let a = TopicPartition(topic: "orders", partition: 0)
        let b = TopicPartition(topic: "orders", partition: 1)
        let c = TopicPartition(topic: "payments", partition: 0)
        let layout: [(TopicPartition, Int64)] = [(a, 10), (a, 11), (b, 3), (a, 12), (c, 7), (b, 4), (b, 5), (a, 13), (c, 8)]
        let batch = ConsumerBatch(messages: layout.map { ConsumedMessage(topicPartition: $0.0, offset: $0.1, key: nil, value: nil) })
        #expect(batch.nextOffsets == [a: 14, b: 6, c: 9])
        #expect(ConsumerBatch(messages: []).nextOffsets.isEmpty)
        #expect(ConsumerBatch(messages: [ConsumedMessage(topicPartition: b, offset: 0, key: nil, value: nil)]).nextOffsets == [b: 1])
    }
}
