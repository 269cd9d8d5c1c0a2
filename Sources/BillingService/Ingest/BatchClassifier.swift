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

    struct Outcome {
        var record: IngestBatch
        var accepted: [(message: ConsumedMessage, envelope: InputEnvelope)]
    }

    func classify(_ messages: [ConsumedMessage], now: Date) -> Outcome {
        var accepted: [(ConsumedMessage, InputEnvelope)] = []
        var deadLetters: [DeadLetter] = []
        var outbox: [OutboundMessage] = []
        var next: [TopicPartition: Int64] = [:]
        for message in messages {
            next[message.topicPartition] = max(next[message.topicPartition] ?? 0, message.offset + 1)
            do {
                accepted.append((message, try decoder.decode(message.value)))
            } catch {
                let deadLetter = DeadLetter(
                    source: LogPosition(topic: message.topic, partition: message.partition, offset: message.offset),
                    rejection: error.rejection, eventID: error.eventID, eventType: error.eventType)
                deadLetters.append(deadLetter)
                outbox.append(deadLetter.message(
                    topic: deadLetterTopic,
                    originalKey: message.key,
                    originalValue: message.value,
                    originalHeaders: message.headers.map { MessageHeader(name: $0.name, value: $0.value) },
                    sourceTimestampMilliseconds: message.timestampMilliseconds,
                    rejectedAt: now,
                    maxValueBytes: maxDeadLetterPayloadBytes))
            }
        }
        let offsets = next.sorted { $0.key < $1.key }.map {
            ConsumerOffset(topic: $0.key.topic, partition: $0.key.partition, nextOffset: $0.value)
        }
        return Outcome(record: IngestBatch(offsets: offsets, deadLetters: deadLetters, outbox: outbox, processedAt: now), accepted: accepted)
    }
}
