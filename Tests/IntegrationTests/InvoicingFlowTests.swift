import BillingService
import BillingStore
import Foundation
import ServiceLifecycle
import TestSupport
import Testing

@Suite("Invoicing a few thousand orders, end to end")
struct InvoicingFlowTests {
    @Test("every shipment is invoiced once, numbers have no gaps, totals are the sum of their parts")
    func thousandsOfOrders() async throws {
        let stream = OrderStream(orders: 1500)
        let directory = try TestSupport.temporaryDirectory("flow")
        var configuration = BillingdConfiguration()
        configuration.store.path = directory.appendingPathComponent("billing.sqlite").path
        configuration.kafka.bootstrapFile = directory.appendingPathComponent("broker.bootstrap").path
        configuration.outbox.pollIntervalMilliseconds = 100
        configuration.billing.timeZone = "Europe/Berlin"
        let application = try await BillingApplication.make(configuration: configuration, logger: Harness.quietLogger)
        let running = Task { try await application.serviceGroup.run() }
        let bootstrap = application.bootstrapServers

        try Harness.kcatProduce(bootstrap, topic: "orders", lines: stream.records)
        let expectedEvents = stream.shipments.count + stream.payments * 1
        let records = try await Harness.kcatRead(bootstrap, topic: "billing.events", atLeast: expectedEvents, timeout: .seconds(90))
        let events = records.compactMap(PublishedEvent.init)
        #expect(events.count == records.count, "every billing event is a CloudEvent")

        // invoice.issued: one per distinct shipment, numbered 1…N with no gaps.
        let issued = events.filter { $0.type == "invoice.issued" }
        #expect(issued.count == stream.shipments.count, "\(stream.duplicateDeliveries) duplicate deliveries must not invoice twice")
        let numbers = issued.compactMap { $0.data["invoice_number"] as? String }.sorted()
        #expect(numbers == (1...stream.shipments.count).map { String(format: "INV-2026-%06d", $0) })
        #expect(Set(issued.compactMap { $0.data["shipment_id"] as? String }) == Set(stream.shipments.keys))
        #expect(Set(issued.map(\.id)).count == issued.count)

        // Totals: lines add up to net, tax breakdown to tax, net + tax to gross; quantities match shipments.
        var shipped: [String: Int] = [:]
        var orderLineNet: [String: Int64] = [:]
        for event in issued {
            let data = event.data
            let lines = data["lines"] as? [[String: Any]] ?? []
            let totals = data["totals"] as? [String: Any] ?? [:]
            let breakdown = data["tax_breakdown"] as? [[String: Any]] ?? []
            #expect(lines.map { cents($0["net_amount"]) }.reduce(0, +) == cents(totals["net"]))
            #expect(breakdown.map { cents($0["taxable_amount"]) }.reduce(0, +) == cents(totals["net"]))
            #expect(breakdown.map { cents($0["tax_amount"]) }.reduce(0, +) == cents(totals["tax"]))
            #expect(cents(totals["net"]) + cents(totals["tax"]) == cents(totals["gross"]))
            for item in breakdown {
                // Tax per rate, rounded once, half away from zero: checked with Foundation's Decimal.
                let taxable = Decimal(string: item["taxable_amount"] as? String ?? "") ?? 0
                let rate = Decimal(string: item["tax_rate"] as? String ?? "") ?? 0
                var exact = taxable * rate / 100
                var rounded = Decimal()
                NSDecimalRound(&rounded, &exact, 2, .plain)
                #expect(cents(item["tax_amount"]) == NSDecimalNumber(decimal: rounded * 100).int64Value)
            }
            let orderID = data["order_id"] as? String ?? ""
            for line in lines {
                let key = "\(orderID)/\(line["line_id"] as? String ?? "")"
                shipped[key, default: 0] += Int(line["quantity"] as? String ?? "") ?? -1
                orderLineNet[key, default: 0] += cents(line["net_amount"])
            }
        }
        #expect(shipped == stream.shippedQuantities, "invoiced exactly what shipped")
        // Fully shipped lines: the partial invoices add up to quantity × price, rounded once.
        for order in stream.orders {
            for line in order.lines where stream.shippedQuantities["\(order.id)/\(line.id)"] == line.quantity {
                #expect(orderLineNet["\(order.id)/\(line.id)"] == Int64(line.quantity * line.priceCents))
            }
        }

        // Payments: each applied in full to its order's invoices, or partly left unapplied.
        let applied = events.filter { $0.type == "payment.applied" }
        #expect(applied.count == stream.payments)
        for event in applied {
            let allocations = event.data["allocations"] as? [[String: Any]] ?? []
            #expect(allocations.map { cents($0["amount"]) }.reduce(0, +) + cents(event.data["unapplied_amount"]) == 2500)
        }

        // An outside validator agrees the events match their published JSON Schemas.
        let dump = directory.appendingPathComponent("events.jsonl")
        try events.map(\.payload).joined(separator: "\n").write(to: dump, atomically: true, encoding: .utf8)
        let validation = try TestSupport.run(["python3", Harness.packageRoot.appendingPathComponent("scripts/check-schemas.py").path, dump.path])
        #expect(validation.status == 0, "\(validation.output)")

        // The store says the same, read from outside by billingctl's read-only path.
        let store = try BillingStore.openReadOnly(path: configuration.store.path)
        #expect(try store.invoices(InvoiceFilter(limit: 100_000)).count == stream.shipments.count)
        let status = try store.status()
        #expect(status.invoiceSeries.map(\.lastSequence) == [Int64(stream.shipments.count)])
        #expect(status.waitingEvents == 0, "every early shipment found its order")
        #expect(status.deadLetters == 0)
        // The schema does not parse the JSON columns on every write (billingd's own writer fills them):
        // the sqlite3 shell checks every stored value instead.
        let jsonCheck = try TestSupport.sqlite(configuration.store.path, """
            SELECT count(*), sum(NOT json_valid(value)) FROM (
                SELECT order_data AS value FROM billing_order UNION ALL SELECT invoiced_quantities FROM billing_order
                UNION ALL SELECT document FROM invoice_document UNION ALL SELECT references_json FROM payment
                UNION ALL SELECT detail FROM audit_log UNION ALL SELECT headers FROM outbox
                UNION ALL SELECT CAST(payload AS TEXT) FROM outbox_message);
            """)
        let checked = jsonCheck.split(separator: "|").map { Int($0) ?? -1 }
        #expect(checked.count == 2 && checked[0] > 4 * stream.shipments.count && checked[1] == 0, "values checked | invalid: \(jsonCheck)")

        await application.serviceGroup.triggerGracefulShutdown()
        try await running.value
    }
}
