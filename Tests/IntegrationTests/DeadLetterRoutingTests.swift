import BillingCore
import BillingService
import BillingStore
import Foundation
import ServiceLifecycle
import TestSupport
import Testing

@Suite("Dead-letter routing, end to end")
struct DeadLetterRoutingTests {
    static func valid(_ id: String, type: String = "order.placed") -> String {
        #"{"specversion":"1.0","id":"\#(id)","source":"/test","type":"\#(type)","data":{"order_id":"\#(id)"}}"#
    }

    /// Events that are valid in every respect, billing rules included.
    static let goodOrder = #"{"specversion":"1.0","id":"g1","source":"/test","type":"order.placed","data":{"order_id":"GO-1","customer_id":"good-1","currency":"EUR","order_date":"2026-11-20","lines":[{"line_id":"1","quantity":"2","unit_price":"5.00","tax_rate":"19"}]}}"#
    static let goodShipment = #"{"specversion":"1.0","id":"g2","source":"/test","type":"order.fulfilled","data":{"shipment_id":"GS-1","order_id":"GO-1","customer_id":"good-1","ship_date":"2026-11-21","lines":[{"line_id":"1","quantity":"2"}]}}"#
    static let goodPayment = #"{"specversion":"1.0","id":"g3","source":"/test","type":"payment.received","data":{"payment_id":"GP-1","customer_id":"good-1","amount":"11.90","currency":"EUR","received_date":"2026-11-25","references":["GO-1"]}}"#

    @Test("each kind of bad record lands on the dead-letter topic with its reason and source, and nothing is skipped")
    func everyKindOfBadRecord() async throws {
        let directory = try TestSupport.temporaryDirectory("dlq")
        var configuration = BillingdConfiguration()
        configuration.store.path = directory.appendingPathComponent("billing.sqlite").path
        configuration.kafka.bootstrapFile = directory.appendingPathComponent("broker.bootstrap").path
        configuration.kafka.maxEventBytes = 1024
        configuration.kafka.embeddedPartitions = 3
        configuration.outbox.pollIntervalMilliseconds = 100
        let application = try await BillingApplication.make(configuration: configuration, logger: Harness.quietLogger)
        let running = Task { try await application.serviceGroup.run() }
        let bootstrap = application.bootstrapServers
        #expect(try String(contentsOfFile: configuration.kafka.bootstrapFile, encoding: .utf8) == bootstrap + "\n")

        // Expected reason for every bad key; good keys must never reach the dead-letter topic.
        var expected: [String: String] = [
            "bad-garbage": "not_json",
            "bad-truncated": "not_json",
            "bad-array": "not_an_object",
            "bad-missing-type": "missing_attribute",
            "bad-missing-id": "missing_attribute",
            "bad-spec": "unsupported_specversion",
            "bad-unknown": "unknown_type",
            "bad-time": "invalid_attribute",
            "bad-data": "invalid_data",
            "bad-empty": "empty_payload",
        ]
        let oversized = Self.valid("big").replacingOccurrences(of: "\"order_id\"", with: "\"pad\":\"\(String(repeating: "x", count: 1100))\",\"order_id\"")
        try Harness.kcatProduce(bootstrap, topic: "orders", lines: [
            "good-1:" + Self.goodOrder,
            "bad-garbage:garbage line",
            "bad-truncated:{\"specversion\":\"1.0\",",
            "bad-array:[1,2,3]",
            "good-1:" + Self.goodShipment,
            "bad-missing-type:" + #"{"specversion":"1.0","id":"m1","source":"/test","data":{}}"#,
            "bad-missing-id:" + #"{"specversion":"1.0","source":"/test","type":"order.placed","data":{}}"#,
            "bad-spec:" + Self.valid("s1").replacingOccurrences(of: "\"1.0\"", with: "\"0.3\""),
            "bad-unknown:" + Self.valid("u1", type: "order.teleported"),
            "bad-time:" + Self.valid("t1").replacingOccurrences(of: "\"source\"", with: "\"time\":\"yesterday\",\"source\""),
            "bad-data:" + #"{"specversion":"1.0","id":"d1","source":"/test","type":"order.placed","data":"text"}"#,
            "bad-oversized:" + oversized,
            "bad-empty:",
            "good-1:" + Self.goodPayment,
        ])
        expected["bad-oversized"] = "oversized"
        try Harness.kcatProduce(bootstrap, topic: "payments", lines: ["bad-null:"], nullEmpty: true)
        expected["bad-null"] = "empty_payload"
        try Harness.kcatProduceRaw(bootstrap, topic: "payments", key: "bad-utf8", value: [0x7B, 0xFF, 0xFE, 0x7D])
        expected["bad-utf8"] = "not_utf8"

        let letters = try await Harness.kcatRead(bootstrap, topic: "billing.dlq", atLeast: expected.count)
        let inputs = try await Harness.kcatRead(bootstrap, topic: "orders", atLeast: 14)
            + (try await Harness.kcatRead(bootstrap, topic: "payments", atLeast: 2))
        #expect(inputs.count == 16)
        let inputsByKey = Dictionary(inputs.map { ($0.key ?? "", $0) }, uniquingKeysWith: { first, _ in first })

        #expect(letters.count == expected.count, "one dead letter per bad record, no more")
        for letter in letters {
            let key = letter.key ?? ""
            #expect(expected[key] == letter.headers["billingd.dlq.reason"], "reason for \(key)")
            #expect(!(letter.headers["billingd.dlq.detail"] ?? "").isEmpty)
            let source = inputsByKey[key]
            #expect(letter.headers["billingd.dlq.source.topic"] == (key == "bad-null" || key == "bad-utf8" ? "payments" : "orders"))
            #expect(letter.headers["billingd.dlq.source.partition"] == source.map { String($0.partition) })
            #expect(letter.headers["billingd.dlq.source.offset"] == source.map { String($0.offset) })
            if key == "bad-garbage" { #expect(letter.payload == "garbage line", "the original payload is kept") }
            if key == "bad-null" { #expect(letter.payload == nil, "a NULL payload stays NULL") }
            if key == "bad-unknown" {
                #expect(letter.headers["billingd.dlq.event.id"] == "u1")
                #expect(letter.headers["billingd.dlq.event.type"] == "order.teleported")
            }
        }
        #expect(!letters.contains { ($0.key ?? "").hasPrefix("good-") })

        // Nothing skipped: the stored offsets cover every input record, and the outbox is drained.
        let covered = try await Harness.eventually {
            Harness.storedRecords(configuration.store.path, topics: ["orders", "payments"]) == 16
        }
        #expect(covered)
        let status = try BillingStore.openReadOnly(path: configuration.store.path).status()
        #expect(status.deadLetters == expected.count)
        let drained = try await Harness.eventually {
            try BillingStore.openReadOnly(path: configuration.store.path).status().outboxPending == 0
        }
        #expect(drained)
        // The good events did their work: one invoice, paid in full by the payment.
        let invoices = try BillingStore.openReadOnly(path: configuration.store.path).invoices(InvoiceFilter())
        #expect(invoices.map { "\($0.number) \($0.gross.amountString) \($0.status)" } == ["INV-2026-000001 11.90 paid"])

        await application.serviceGroup.triggerGracefulShutdown()
        try await running.value
        #expect(!FileManager.default.fileExists(atPath: configuration.kafka.bootstrapFile), "the address file goes with the broker")
    }
}
