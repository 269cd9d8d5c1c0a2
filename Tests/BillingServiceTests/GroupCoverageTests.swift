import BillingKafka
import Testing

@testable import BillingService

@Suite("Holding every input partition of the group")
struct GroupCoverageTests {
    static let all: Set<TopicPartition> = [
        TopicPartition(topic: "orders", partition: 0), TopicPartition(topic: "orders", partition: 1), TopicPartition(topic: "payments", partition: 0),
    ]

    @Test("no settled assignment yet, or all of it: go on")
    func complete() {
        var coverage = GroupCoverage(expected: Self.all, patience: .seconds(10))
        #expect(coverage.check(nil) == nil)
        #expect(coverage.check(Self.all) == nil)
        #expect(!coverage.mustStop)
    }

    @Test("a first assignment short of partitions stops at once, naming what the other member holds")
    func partialAtStart() {
        var coverage = GroupCoverage(expected: Self.all, patience: .seconds(10))
        let missing = coverage.check([TopicPartition(topic: "orders", partition: 0)])
        #expect(missing == [TopicPartition(topic: "orders", partition: 1), TopicPartition(topic: "payments", partition: 0)])
        #expect(coverage.mustStop)
    }

    @Test("an empty first assignment (more members than partitions) stops too")
    func emptyAtStart() {
        var coverage = GroupCoverage(expected: Self.all, patience: .seconds(10))
        #expect(coverage.check([])?.count == 3)
        #expect(coverage.mustStop)
    }

    @Test("after holding everything, a partial assignment is reported once and tolerated for the patience, then stops")
    func partialLater() async throws {
        var coverage = GroupCoverage(expected: Self.all, patience: .milliseconds(200))
        #expect(coverage.check(Self.all) == nil)
        let half: Set<TopicPartition> = [TopicPartition(topic: "orders", partition: 0)]
        #expect(coverage.check(half) != nil)
        #expect(coverage.newlyPartial && !coverage.mustStop)
        #expect(coverage.check(half) != nil)
        #expect(!coverage.newlyPartial && !coverage.mustStop, "reported once")
        // The other member leaves: all is well again, and a later episode is reported again.
        #expect(coverage.check(Self.all) == nil)
        #expect(coverage.check(half) != nil && coverage.newlyPartial)
        try await Task.sleep(for: .milliseconds(300))
        #expect(coverage.check(half) != nil)
        #expect(coverage.mustStop, "past the patience")
    }
}
