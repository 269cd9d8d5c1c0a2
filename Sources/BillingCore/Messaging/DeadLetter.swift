import Foundation

/// A record billingd could not process, with everything an operator needs to find and fix it.
public struct DeadLetter: Sendable, Equatable {
    /// Where the record came from.
    public let source: LogPosition
    /// Why it was rejected.
    public let rejection: EventRejection
    /// The CloudEvents id, when it could be read.
    public let eventID: String?
    /// The CloudEvents type, when it could be read.
    public let eventType: String?

    /// Makes a dead letter.
    public init(source: LogPosition, rejection: EventRejection, eventID: String? = nil, eventType: String? = nil) {
        self.source = source
        self.rejection = rejection
        self.eventID = eventID
        self.eventType = eventType
    }

    /// Header names on dead-letter records (documented in docs/EVENTS.md).
    public enum Header {
        public static let reason = "billingd.dlq.reason"
        public static let detail = "billingd.dlq.detail"
        public static let sourceTopic = "billingd.dlq.source.topic"
        public static let sourcePartition = "billingd.dlq.source.partition"
        public static let sourceOffset = "billingd.dlq.source.offset"
        public static let sourceTimestamp = "billingd.dlq.source.timestamp"
        public static let eventID = "billingd.dlq.event.id"
        public static let eventType = "billingd.dlq.event.type"
        public static let rejectedAt = "billingd.dlq.rejected_at"
        public static let truncatedFrom = "billingd.dlq.truncated_from"
    }

    /// The message to publish on the dead-letter topic: the original key, the original value (cut to
    /// `maxValueBytes` when larger, marked by a header), the original headers, then our reason headers.
    public func message(
        topic: String,
        originalKey: [UInt8]?,
        originalValue: [UInt8]?,
        originalHeaders: [MessageHeader],
        sourceTimestampMilliseconds: Int64?,
        rejectedAt: Date,
        maxValueBytes: Int
    ) -> OutboundMessage {
        var headers = originalHeaders.filter { !$0.name.hasPrefix("billingd.dlq.") }
        headers.append(MessageHeader(name: Header.reason, string: rejection.code))
        headers.append(MessageHeader(name: Header.detail, string: rejection.description))
        headers.append(MessageHeader(name: Header.sourceTopic, string: source.topic))
        headers.append(MessageHeader(name: Header.sourcePartition, string: String(source.partition)))
        headers.append(MessageHeader(name: Header.sourceOffset, string: String(source.offset)))
        if let sourceTimestampMilliseconds {
            headers.append(MessageHeader(name: Header.sourceTimestamp, string: String(sourceTimestampMilliseconds)))
        }
        if let eventID { headers.append(MessageHeader(name: Header.eventID, string: eventID)) }
        if let eventType { headers.append(MessageHeader(name: Header.eventType, string: eventType)) }
        headers.append(MessageHeader(name: Header.rejectedAt, string: RFC3339.format(rejectedAt)))
        var value = originalValue
        if let original = originalValue, original.count > maxValueBytes {
            value = Array(original.prefix(maxValueBytes))
            headers.append(MessageHeader(name: Header.truncatedFrom, string: String(original.count)))
        }
        return OutboundMessage(topic: topic, key: originalKey, value: value, headers: headers)
    }
}
