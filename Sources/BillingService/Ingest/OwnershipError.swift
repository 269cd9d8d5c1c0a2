import BillingKafka

/// A start or a run that would let two stores share one input, or one store read another's: billingd
/// stops instead (exit status 78, a configuration error an operator must look at).
public enum OwnershipError: Error, CustomStringConvertible {
    /// A store with nothing in it, while the consumer group has committed offsets at the broker.
    case newStoreWithCommittedOffsets(path: String, group: String, committed: [String])
    /// The store belongs to another consumer group.
    case otherGroup(path: String, stored: String, configured: String)
    /// Input topics the store was reading are no longer configured.
    case topicsRemoved(path: String, removed: [String])
    /// Another member of the consumer group holds some of the input partitions.
    case sharedGroup(group: String, missing: [TopicPartition])

    /// The process exit status (sysexits.h EX_CONFIG).
    public var exitCode: Int32 { 78 }

    public var description: String {
        switch self {
        case .newStoreWithCommittedOffsets(let path, let group, let committed):
            return "the store at \(path) is new, but consumer group \(group) has committed offsets at the broker "
                + "(\(committed.prefix(4).joined(separator: ", "))\(committed.count > 4 ? ", …" : "")): this is almost certainly a wrong "
                + "store.path, and a new store would invoice everything again. Correct store.path, or start once with "
                + "`billingd run --new-store` to begin a new store that reads every log from its start"
        case .otherGroup(let path, let stored, let configured):
            return "the store at \(path) belongs to consumer group \(stored), but kafka.group_id is \(configured); "
                + "one store reads for one group. Correct kafka.group_id or store.path"
        case .topicsRemoved(let path, let removed):
            return "the store at \(path) reads \(removed.joined(separator: ", ")), which kafka.input_topics no longer lists; "
                + "dropping an input topic would leave its events unread. Put it back, or use a new store"
        case .sharedGroup(let group, let missing):
            return "another member of consumer group \(group) holds \(missing.map(\.description).joined(separator: ", ")): "
                + "two billingd in one group would each issue their own invoice number series. Stop the other one "
                + "(one group, one billingd, one store); this one stops consuming"
        }
    }
}
