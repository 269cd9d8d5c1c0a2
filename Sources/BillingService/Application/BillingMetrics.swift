import BillingCore
import BillingStore
import CoreMetrics
import Metrics

/// The metrics billingd reports, created once with low-cardinality labels (never ids).
public struct BillingMetrics: Sendable {
    let eventsAccepted: [InputEventType: Counter]
    let deadLetters: [String: Counter]
    let batches: Counter
    let outboxPublished: Counter
    let storeWriteFailures: Counter
    let invoicesIssued: Counter
    let paymentsRecorded: Counter
    let eventsWaiting: Counter
    let duplicatesSkipped: Counter

    /// Creates the metric handles through the bootstrapped (or task-local) metrics factory.
    public init() {
        eventsAccepted = Dictionary(uniqueKeysWithValues: InputEventType.allCases.map {
            ($0, Counter(label: "billingd_events_accepted_total", dimensions: [("type", $0.rawValue)]))
        })
        deadLetters = Dictionary(uniqueKeysWithValues: EventRejection.allCodes.map {
            ($0, Counter(label: "billingd_dead_letters_total", dimensions: [("reason", $0)]))
        })
        batches = Counter(label: "billingd_batches_total")
        outboxPublished = Counter(label: "billingd_outbox_published_total")
        storeWriteFailures = Counter(label: "billingd_store_write_failures_total")
        invoicesIssued = Counter(label: "billingd_invoices_issued_total")
        paymentsRecorded = Counter(label: "billingd_payments_recorded_total")
        eventsWaiting = Counter(label: "billingd_events_waiting_total")
        duplicatesSkipped = Counter(label: "billingd_duplicate_events_total")
    }

    /// Counts a stored batch's events by type: one increment per type, not per event.
    func accepted(_ events: [SourcedEvent]) {
        let types = InputEventType.allCases
        var counts = [Int](repeating: 0, count: types.count)
        for event in events {
            // Five cases: a scan compares case tags, where a dictionary would hash every event's type.
            if let index = types.firstIndex(of: event.envelope.type) { counts[index] += 1 }
        }
        for (index, count) in counts.enumerated() where count > 0 { eventsAccepted[types[index]]?.increment(by: count) }
    }
    func deadLettered(_ code: String) { deadLetters[code]?.increment() }
    func batchRecorded() { batches.increment() }
    func published(_ count: Int) { outboxPublished.increment(by: count) }
    func storeWriteFailed() { storeWriteFailures.increment() }
    func recorded(_ outcome: BatchOutcome) {
        invoicesIssued.increment(by: outcome.invoicesIssued)
        paymentsRecorded.increment(by: outcome.paymentsRecorded)
        eventsWaiting.increment(by: outcome.eventsWaiting)
        duplicatesSkipped.increment(by: outcome.duplicatesSkipped)
        for (code, count) in outcome.rejections { deadLetters[code]?.increment(by: count) }
    }
}
