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
