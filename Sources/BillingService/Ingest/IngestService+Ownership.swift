import BillingCore
import BillingKafka
import BillingStore
import Foundation
import Logging
import ServiceLifecycle

extension IngestService {
    /// Asks the brokers for the cluster id, the input partitions and the group's committed offsets,
    /// trying again with a growing pause until they answer. Nothing is consumed before.
    ///
    /// - Returns: nil when billingd stops before the brokers answered.
    func clusterFacts(_ probe: ClusterProbe) async throws -> ClusterFacts? {
        var attempt = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                // A stop ends the wait for an answer at once.
                let topics = configuration.kafka.inputTopics
                return try await cancelWhenGracefulShutdown { try await probe.facts(topics: topics) }
            } catch is CancellationError {
                return nil
            } catch {
                attempt += 1
                logger.warning(
                    "the brokers did not say which cluster and partitions they have; trying again",
                    metadata: ["error": "\(error)", "kafka.attempt": "\(attempt)"])
                let pause = Duration.milliseconds(min(5000, 250 << min(attempt, 5)))
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
            }
        }
        return nil
    }

    /// Checks that this store belongs to this consumer group, these topics and this cluster, and
    /// records its identity the first time. A store that has never consumed, while the group has
    /// committed offsets, is refused unless the operator said `--new-store`. A cluster that is not the
    /// one the store was created against turns every stored partition into an open gap.
    ///
    /// - Throws: `OwnershipError` when billingd must not run on this store with this configuration.
    func establishOwnership(existing: StoreIdentity?, storeID: String, facts: ClusterFacts, probe: ClusterProbe) async throws {
        let kafka = configuration.kafka
        let topics = kafka.inputTopics
        let at = now()
        guard let existing else {
            let identity = StoreIdentity(
                storeID: storeID, clusterID: facts.clusterID, consumerGroup: kafka.groupID, inputTopics: topics, createdAt: RFC3339.format(at))
            if try store.hasNeverConsumed() {
                let committed = facts.committed.filter { topics.contains($0.key.topic) }.sorted { $0.key < $1.key }
                if !committed.isEmpty && !newStore {
                    throw OwnershipError.newStoreWithCommittedOffsets(
                        path: store.path, group: kafka.groupID, committed: committed.map { "\($0.key)=\($0.value)" })
                }
                try await store.recordIdentity(
                    identity, action: "created",
                    detail: [("new_store_flag", newStore ? "yes" : "no"), ("group_committed_partitions", String(committed.count))], at: at)
                logger.notice(
                    "new store: every input partition is read from the start of its log",
                    metadata: [
                        "store.path": "\(store.path)", "kafka.cluster": "\(facts.clusterID ?? "-")", "kafka.group": "\(kafka.groupID)",
                        "kafka.group_committed_partitions": "\(committed.count)",
                    ])
            } else {
                try await store.recordIdentity(identity, action: "adopted", detail: [], at: at)
                logger.notice("store identity recorded", metadata: ["store.path": "\(store.path)", "kafka.cluster": "\(facts.clusterID ?? "-")"])
            }
            return
        }
        if newStore { logger.warning("--new-store ignored: this store has consumed before", metadata: ["store.path": "\(store.path)"]) }
        guard existing.consumerGroup == kafka.groupID else {
            throw OwnershipError.otherGroup(path: store.path, stored: existing.consumerGroup, configured: kafka.groupID)
        }
        let removed = existing.inputTopics.filter { !topics.contains($0) }
        guard removed.isEmpty else { throw OwnershipError.topicsRemoved(path: store.path, removed: removed) }
        let updated = StoreIdentity(
            storeID: existing.storeID, clusterID: facts.clusterID ?? existing.clusterID, consumerGroup: existing.consumerGroup, inputTopics: topics,
            createdAt: existing.createdAt)
        if let before = existing.clusterID, let current = facts.clusterID, before != current {
            // Every stored offset refers to the old cluster's logs: each such partition waits for an operator.
            let stored = try store.nextOffsets(topics: existing.inputTopics)
            let partitions = stored.map { TopicPartition(topic: $0.topic, partition: $0.partition) }
            let bounds = try await probe.logBounds(partitions)
            let reason = "the Kafka cluster changed from \(before) to \(current); the stored offset refers to the old cluster's log"
            let gaps = stored.map { offset in
                let bound = bounds[TopicPartition(topic: offset.topic, partition: offset.partition)]
                return PartitionGap(
                    topic: offset.topic, partition: offset.partition, expectedOffset: offset.nextOffset, logStart: bound?.start, logEnd: bound?.end,
                    reason: reason, detectedAt: "", lastSeenAt: "")
            }
            try await store.recordIdentity(updated, action: "cluster_changed", detail: [("previous_cluster_id", before)], gaps: gaps, at: at)
            logger.error(
                "the Kafka cluster is not the one this store was reading; every partition it had read is paused as an offset gap",
                metadata: [
                    "kafka.cluster": "\(current)", "kafka.previous_cluster": "\(before)", "kafka.partitions": "\(partitions.map(\.description).joined(separator: ","))",
                    "action": "billingctl status; billingd run --accept-gap TOPIC:PARTITION for each, once the records are accounted for",
                ])
        } else if updated != existing {
            try await store.recordIdentity(
                updated, action: "topics_changed", detail: [("previous_input_topics", existing.inputTopics.joined(separator: ","))], at: at)
            logger.notice("input topics added; new ones are read from the start", metadata: ["kafka.topics": "\(topics.joined(separator: ","))"])
        }
    }
}

/// Whether this billingd holds every input partition of its group: a start whose first assignment
/// leaves some to another member stops at once; a member that joins later is given `patience` to
/// leave (it is most likely a billingd about to stop itself) before this one stops too.
struct GroupCoverage {
    let expected: Set<TopicPartition>
    let patience: Duration
    private var everComplete = false
    private var partialSince: ContinuousClock.Instant?
    private(set) var mustStop = false
    /// Whether the last check found this billingd short of partitions for the first time in a while
    /// (to report it once).
    private(set) var newlyPartial = false

    init(expected: Set<TopicPartition>, patience: Duration) {
        self.expected = expected
        self.patience = patience
    }

    /// Checks the settled assignment (nil while none is settled); returns the partitions another member
    /// holds, or nil when this billingd holds them all. Sets `mustStop` when it must not go on.
    mutating func check(_ assignment: Set<TopicPartition>?) -> [TopicPartition]? {
        newlyPartial = false
        guard let assignment else { return nil }
        let missing = expected.subtracting(assignment)
        guard !missing.isEmpty else {
            everComplete = true
            partialSince = nil
            return nil
        }
        if !everComplete {
            mustStop = true
        } else if let since = partialSince {
            mustStop = since.duration(to: .now) > patience
        } else {
            partialSince = .now
            newlyPartial = true
        }
        return missing.sorted()
    }
}
