import CRdKafka

/// Where a newly assigned partition starts reading.
public enum StartingOffset: Sendable, Equatable {
    /// At this exact offset: the next record to process.
    case offset(Int64)
    /// At the oldest record the broker still has.
    case beginning
    /// After the newest record.
    case end
    /// At the offset last committed to Kafka by this group (falling back to the beginning).
    case committed
    /// At this offset, but paused from the start: the partition has an offset gap no operator has
    /// accepted yet.
    case held(Int64)

    var rawOffset: Int64 {
        switch self {
        case .offset(let value), .held(let value): return value
        case .beginning: return Int64(RD_KAFKA_OFFSET_BEGINNING)
        case .end: return Int64(RD_KAFKA_OFFSET_END)
        case .committed: return Int64(RD_KAFKA_OFFSET_STORED)
        }
    }
}
