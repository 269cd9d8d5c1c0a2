import BillingCore
import BillingStore
import Foundation

/// The critical path alone: the benchmark's event mix decoded and run through `processBatch` on a fresh
/// SQLite file, without Kafka. Quiet enough to judge small changes.
enum StoreOnlyBench {
    static func run(events: Int, batchSize: Int, work: String) async throws -> (decodeMicros: Double, storeMicros: Double) {
        let storePath = work + "/store-only.sqlite"
        let store = try BillingStore.openForWriting(path: storePath, durability: ProcessInfo.processInfo.environment["BENCH_DURABILITY"] == "normal" ? .normal : .full)
        let decoder = EnvelopeDecoder(maxPayloadBytes: 1 << 20)
        let settings = ProcessingSettings(eventsTopic: "billing.events", deadLetterTopic: "billing.dlq", maxDeadLetterPayloadBytes: 900_000)
        let context = BillingContext(
            now: Date(), timeZone: TimeZone(identifier: "UTC")!, seller: Party(name: "Bench Seller"),
            numbering: InvoiceNumbering(prefix: "INV"), defaultPaymentTermDays: 30)
        var values: [[UInt8]] = []
        for order in 0..<(events / 3) {
            let customer = BenchEvents.customer(order)
            values.append(Array(BenchEvents.placed(order: order, customer: customer).utf8))
            values.append(Array(BenchEvents.fulfilled(order: order, customer: customer).utf8))
            values.append(Array(BenchEvents.paid(order: order, customer: customer).utf8))
        }
        var decodeTime = Duration.zero
        var storeTime = Duration.zero
        var offset: Int64 = 0
        var start = 0
        while start < values.count {
            let chunk = values[start..<min(start + batchSize, values.count)]
            let decodeStart = ContinuousClock.now
            var sourced: [SourcedEvent] = []
            for value in chunk {
                let record = InputRecord(
                    position: LogPosition(topic: "orders", partition: 0, offset: offset), key: nil, value: value, headers: [],
                    timestampMilliseconds: nil)
                let envelope = try decoder.decode(value)
                sourced.append(.prepared(record: record, envelope: envelope, defaultPaymentTermDays: 30))
                offset += 1
            }
            let storeStart = ContinuousClock.now
            decodeTime += decodeStart.duration(to: storeStart)
            _ = try await store.processBatch(
                IngestBatch(offsets: [ConsumerOffset(topic: "orders", partition: 0, nextOffset: offset)], processedAt: context.now),
                events: sourced, context: context, settings: settings)
            storeTime += storeStart.duration(to: .now)
            start += batchSize
        }
        let count = Double(values.count)
        return (seconds(decodeTime) * 1e6 / count, seconds(storeTime) * 1e6 / count)
    }
}
