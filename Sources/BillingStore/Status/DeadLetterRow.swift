/// A recorded dead letter, as billingctl shows it.
public struct DeadLetterRow: Sendable, Codable, Equatable {
    public let sourceTopic: String
    public let sourcePartition: Int32
    public let sourceOffset: Int64
    public let reasonCode: String
    public let reason: String
    public let eventID: String?
    public let eventType: String?
    public let recordedAt: String
}
