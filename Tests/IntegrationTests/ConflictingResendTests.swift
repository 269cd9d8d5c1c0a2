import BillingStore
import Foundation
import TestSupport
import Testing

/// A shipment or payment resent with the same id and other content reaches the dead-letter topic with
/// reason `conflicting_duplicate`; it is never dropped in silence.
@Suite("Conflicting resends, end to end")
struct ConflictingResendTests {
    static func example(_ name: String) throws -> String {
        try String(contentsOf: Harness.packageRoot.appendingPathComponent("docs/examples/\(name).json"), encoding: .utf8)
            .replacingOccurrences(of: "\n", with: "")
    }

    @Test("order.fulfilled and payment.received resent with other quantities and amounts go to billing.dlq naming both events")
    func resends() async throws {
        let setup = try Scratch("conflict-e2e", partitions: 1)
        let storePath = setup.storePath
        let daemon = try BillingdProcess(arguments: ["--config", setup.config.path], environment: [:], logFile: setup.log("billingd"))
        defer { daemon.signal(SIGTERM) }
        let bootstrap = try await setup.bootstrap()

        let placed = try Self.example("order.placed")
        let shipped = try Self.example("order.fulfilled")
        let paid = try Self.example("payment.received")
        try Harness.kcatProduce(bootstrap, topic: "orders", lines: ["C-1:\(placed)", "C-1:\(shipped)"])
        try Harness.kcatProduce(bootstrap, topic: "payments", lines: ["C-1:\(paid.replacingOccurrences(of: #""amount":"50.00""#, with: #""amount":"5.00""#))"])
        #expect(try await Harness.eventually { Harness.storedRecords(storePath, topics: ["orders", "payments"]) == 3 })

        // The same shipment id with another quantity, the same payment id with another amount.
        let reshipped = shipped.replacingOccurrences(of: #""id":"e2""#, with: #""id":"e2-again""#)
            .replacingOccurrences(of: #"{"line_id":"1","quantity":"2"}"#, with: #"{"line_id":"1","quantity":"1"}"#)
        let repaid = paid.replacingOccurrences(of: #""id":"e6""#, with: #""id":"e6-again""#)
            .replacingOccurrences(of: #""amount":"50.00""#, with: #""amount":"500.00""#)
        #expect(reshipped != shipped && repaid != paid)
        try Harness.kcatProduce(bootstrap, topic: "orders", lines: ["C-1:\(reshipped)"])
        try Harness.kcatProduce(bootstrap, topic: "payments", lines: ["C-1:\(repaid)"])

        let letters = try await Harness.kcatRead(bootstrap, topic: "billing.dlq", atLeast: 2)
        #expect(letters.count == 2)
        for letter in letters {
            #expect(letter.headers["billingd.dlq.reason"] == "conflicting_duplicate", "\(letter.headers)")
        }
        let details = letters.compactMap { $0.headers["billingd.dlq.detail"] }.joined(separator: "\n")
        #expect(details.contains("/warehouse#e2 ") && details.contains("/warehouse#e2-again"), "\(details)")
        #expect(details.contains("/bank#e6 ") && details.contains("/bank#e6-again"), "\(details)")
        #expect(Set(letters.compactMap(\.payload)) == [reshipped, repaid], "the rejected versions as sent")
        let store = try BillingStore.openReadOnly(path: storePath)
        #expect(try store.status().invoices == 1)
        #expect(try store.status().deadLettersByReason.map(\.reason) == ["conflicting_duplicate"])
    }
}
