import BillingCore
import Foundation
import Testing

@Suite("Dead-letter messages")
struct DeadLetterTests {
    let letter = DeadLetter(
        source: LogPosition(topic: "orders", partition: 2, offset: 41), rejection: .unknownType("order.teleported"),
        eventID: "e-1", eventType: "order.teleported")

    func header(_ message: OutboundMessage, _ name: String) -> String? {
        message.headers.last { $0.name == name }.flatMap { $0.value.map { String(decoding: $0, as: UTF8.self) } }
    }

    @Test("keeps the original key, value and headers and adds the reason and source")
    func headers() {
        let message = letter.message(
            topic: "billing.dlq", originalKey: Array("cust-9".utf8), originalValue: Array("{}".utf8),
            originalHeaders: [MessageHeader(name: "traceparent", string: "00-abc")], sourceTimestampMilliseconds: 1234,
            rejectedAt: Date(timeIntervalSince1970: 0), maxValueBytes: 100)
        #expect(message.topic == "billing.dlq")
        #expect(message.key == Array("cust-9".utf8))
        #expect(message.value == Array("{}".utf8))
        #expect(header(message, "traceparent") == "00-abc")
        #expect(header(message, DeadLetter.Header.reason) == "unknown_type")
        #expect(header(message, DeadLetter.Header.detail) == "event type 'order.teleported' is not one billingd handles")
        #expect(header(message, DeadLetter.Header.sourceTopic) == "orders")
        #expect(header(message, DeadLetter.Header.sourcePartition) == "2")
        #expect(header(message, DeadLetter.Header.sourceOffset) == "41")
        #expect(header(message, DeadLetter.Header.sourceTimestamp) == "1234")
        #expect(header(message, DeadLetter.Header.eventID) == "e-1")
        #expect(header(message, DeadLetter.Header.rejectedAt) == "1970-01-01T00:00:00.000Z")
        #expect(header(message, DeadLetter.Header.truncatedFrom) == nil)
    }

    @Test("cuts a payload over the limit and says how long it was")
    func truncation() {
        let message = letter.message(
            topic: "billing.dlq", originalKey: nil, originalValue: Array(repeating: 65, count: 300), originalHeaders: [],
            sourceTimestampMilliseconds: nil, rejectedAt: Date(), maxValueBytes: 100)
        #expect(message.value?.count == 100)
        #expect(header(message, DeadLetter.Header.truncatedFrom) == "300")
    }

    @Test("a record dead-lettered twice does not stack reason headers")
    func noStacking() {
        let first = letter.message(
            topic: "billing.dlq", originalKey: nil, originalValue: nil, originalHeaders: [], sourceTimestampMilliseconds: nil,
            rejectedAt: Date(), maxValueBytes: 100)
        let second = letter.message(
            topic: "billing.dlq", originalKey: nil, originalValue: nil, originalHeaders: first.headers, sourceTimestampMilliseconds: nil,
            rejectedAt: Date(), maxValueBytes: 100)
        #expect(second.headers.filter { $0.name == DeadLetter.Header.reason }.count == 1)
        #expect(second.value == nil, "a NULL payload stays NULL")
    }
}
