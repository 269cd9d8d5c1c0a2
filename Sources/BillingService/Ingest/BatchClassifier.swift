import BillingCore
import BillingKafka
import BillingStore
import Foundation

/// Turns a consumed batch into what the store records: accepted envelopes, dead letters with their
/// outbound dead-letter messages, and the next offsets.
struct BatchClassifier: Sendable {
    let decoder: EnvelopeDecoder
    let deadLetterTopic: String
    let maxDeadLetterPayloadBytes: Int
    /// For reading order data ahead of the store transaction.
    let defaultPaymentTermDays: Int

    struct Outcome {
        var record: IngestBatch
        var accepted: [SourcedEvent]
        /// Offset gaps the consumer found (and paused) while fetching the batch.
        var gaps: [OffsetGap] = []
    }

    func classify(_ batch: ConsumerBatch, now: Date) -> Outcome {
        var accepted: [SourcedEvent] = []
        var deadLetters: [DeadLetter] = []
        var outbox: [OutboundMessage] = []
        for message in batch.messages {
            let record = InputRecord(
                position: LogPosition(topic: message.topic, partition: message.partition, offset: message.offset),
                key: message.key, value: message.value, headers: message.headers.map { MessageHeader(name: $0.name, value: $0.value) },
                timestampMilliseconds: message.timestampMilliseconds)
            do {
                let envelope = try decoder.decode(message.value)
                // Done here, off the store's thread, while the previous batch is in its transaction.
                accepted.append(.prepared(record: record, envelope: envelope, defaultPaymentTermDays: defaultPaymentTermDays))
            } catch {
                let deadLetter = DeadLetter(
                    source: record.position,
                    rejection: error.rejection, eventID: error.eventID, eventType: error.eventType)
                deadLetters.append(deadLetter)
                outbox.append(deadLetter.message(
                    topic: deadLetterTopic,
                    originalKey: record.key,
                    originalValue: record.value,
                    originalHeaders: record.headers,
                    sourceTimestampMilliseconds: record.timestampMilliseconds,
                    rejectedAt: now,
                    maxValueBytes: maxDeadLetterPayloadBytes))
            }
        }
        let offsets = batch.nextOffsets.sorted { $0.key < $1.key }.map {
            ConsumerOffset(topic: $0.key.topic, partition: $0.key.partition, nextOffset: $0.value)
        }
        return Outcome(
            record: IngestBatch(offsets: offsets, deadLetters: deadLetters, outbox: outbox, processedAt: now), accepted: accepted, gaps: batch.gaps)
    }
}
