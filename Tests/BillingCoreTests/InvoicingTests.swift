import BillingCore
import Foundation
import Testing

/// Builds event data the way an order system would send it.
enum Sample {
    static func line(_ id: String, qty: String, price: String, rate: String = "19", category: String? = nil,
                     discountPercent: String? = nil, discountAmount: String? = nil) -> JSONValue {
        var members: JSONObject = [
            "line_id": .string(id), "sku": .string("SKU-\(id)"), "description": .string("Item \(id)"),
            "quantity": .string(qty), "unit_price": .string(price), "tax_rate": .string(rate),
        ]
        if let category { members["tax_category"] = .string(category) }
        if let discountPercent { members["discount_percent"] = .string(discountPercent) }
        if let discountAmount { members["discount_amount"] = .string(discountAmount) }
        return .object(members)
    }

    static func order(_ id: String = "O-1", customer: String = "C-1", currency: String = "EUR", lines: [JSONValue], netDays: Int? = 30) -> JSONValue {
        var members: JSONObject = [
            "order_id": .string(id), "customer_id": .string(customer), "currency": .string(currency),
            "order_date": .string("2026-11-20"), "lines": .array(lines), "purchase_order": .string("PO-9"),
        ]
        if let netDays { members["payment_terms"] = .object(["net_days": .number(String(netDays))]) }
        return .object(members)
    }

    static func shipment(_ id: String, order: String = "O-1", customer: String = "C-1", lines: [(String, String)]) -> JSONValue {
        .object([
            "shipment_id": .string(id), "order_id": .string(order), "customer_id": .string(customer), "ship_date": .string("2026-11-21"),
            "lines": .array(lines.map { .object(["line_id": .string($0.0), "quantity": .string($0.1)]) }),
        ])
    }

    static let context = BillingContext(
        now: Date(timeIntervalSince1970: 1_795_338_900),  // 2026-11-22T09:15:00Z
        timeZone: TimeZone(identifier: "Europe/Berlin")!, seller: Party(name: "Seller GmbH", taxID: "DE999999999"),
        numbering: InvoiceNumbering(prefix: "INV"), defaultPaymentTermDays: 14)
}

@Suite("Invoicing on fulfilment")
struct InvoicingTests {
    func record(_ data: JSONValue) throws -> OrderRecord {
        OrderRecord(order: try Order(data: data, defaultPaymentTermDays: 14))
    }

    func invoice(_ record: OrderRecord, _ shipment: JSONValue) throws -> (InvoiceDraft, OrderRecord) {
        let decision = OrderDecisions.fulfil(try Fulfilment(data: shipment), existing: record, shipmentOrderID: nil, context: Sample.context)
        guard case .invoice(let draft, let updated) = decision else {
            Issue.record("expected an invoice, got \(decision)")
            throw MoneyError.overflow
        }
        return (draft, updated)
    }

    @Test("a full shipment invoices every line with tax per rate and exact totals")
    func fullShipment() throws {
        let order = try record(Sample.order(lines: [
            Sample.line("1", qty: "3", price: "19.99"),
            Sample.line("2", qty: "2", price: "5.05", rate: "7"),
            Sample.line("3", qty: "1", price: "0.99", rate: "19"),
        ]))
        let (draft, updated) = try invoice(order, Sample.shipment("S-1", lines: [("1", "3"), ("2", "2"), ("3", "1")]))
        #expect(draft.lines.map(\.netAmount.amountString) == ["59.97", "10.10", "0.99"])
        #expect(draft.taxSubtotals.map { "\($0.rate):\($0.taxableAmount.amountString):\($0.taxAmount.amountString)" } == ["7:10.10:0.71", "19:60.96:11.58"])
        #expect(draft.netTotal.amountString == "71.06")
        #expect(draft.taxTotal.amountString == "12.29")
        #expect(draft.grossTotal.amountString == "83.35")
        #expect(draft.issueDate.description == "2026-11-22", "issue date in the company's time zone")
        #expect(draft.dueDate.description == "2026-12-22", "net 30")
        #expect(updated.status == .invoiced)
    }

    @Test("the issue date is the calendar date in the configured time zone")
    func timeZone() throws {
        let lateEvening = BillingContext(
            now: Date(timeIntervalSince1970: 1_795_388_400),  // 2026-11-22T23:00:00Z = 2026-11-23 00:00 in Berlin
            timeZone: TimeZone(identifier: "Europe/Berlin")!, seller: Party(), numbering: InvoiceNumbering(prefix: "INV"), defaultPaymentTermDays: 14)
        let order = try record(Sample.order(lines: [Sample.line("1", qty: "1", price: "1")], netDays: nil))
        let decision = OrderDecisions.fulfil(try Fulfilment(data: Sample.shipment("S", lines: [("1", "1")])), existing: order, shipmentOrderID: nil, context: lateEvening)
        guard case .invoice(let draft, _) = decision else { Issue.record("no invoice"); return }
        #expect(draft.issueDate.description == "2026-11-23")
        #expect(draft.dueDate.description == "2026-12-07", "default terms of 14 days")
    }

    @Test("partial shipments add up to exactly the whole line, cent for cent")
    func partialShipmentsAddUp() throws {
        // 3 × 0.335 = 1.005 → 1.01 (half away from zero); shipping 1+1+1 must not give 0.34+0.34+0.34 = 1.02.
        var order = try record(Sample.order(lines: [Sample.line("1", qty: "3", price: "0.335", discountAmount: "0.10")]))
        var nets: [String] = []
        for (index, quantity) in ["1", "1", "1"].enumerated() {
            let (draft, updated) = try invoice(order, Sample.shipment("S-\(index)", lines: [("1", quantity)]))
            nets.append(draft.netTotal.amountString)
            order = updated
        }
        #expect(nets == ["0.30", "0.30", "0.31"], "cumulative: round(0.30167)=0.30, round(0.60333)=0.60, round(0.905)=0.91")
        let whole = try LinePricing.netAmount(order.order.lines[0], invoicedQuantity: order.order.lines[0].quantity, currency: order.order.currency)
        #expect(whole.amountString == "0.91")
        #expect(order.status == .invoiced)
    }

    @Test("a percentage discount and a fractional quantity are exact")
    func discounts() throws {
        let order = try record(Sample.order(lines: [Sample.line("1", qty: "2.5", price: "40", discountPercent: "12.5")]))
        let (draft, _) = try invoice(order, Sample.shipment("S-1", lines: [("1", "2.5")]))
        #expect(draft.netTotal.amountString == "87.50")
        #expect(draft.taxTotal.amountString == "16.63")
    }

    @Test("never more than was ordered")
    func overFulfilment() throws {
        let order = try record(Sample.order(lines: [Sample.line("1", qty: "5", price: "1")]))
        let (_, afterFirst) = try invoice(order, Sample.shipment("S-1", lines: [("1", "4")]))
        let decision = OrderDecisions.fulfil(try Fulfilment(data: Sample.shipment("S-2", lines: [("1", "2")])), existing: afterFirst, shipmentOrderID: nil, context: Sample.context)
        guard case .reject(let rejection) = decision else { Issue.record("expected a rejection"); return }
        #expect(rejection.code == "over_fulfilment")
        #expect(rejection.description.contains("only 1 of 5"))
    }

    @Test("the same shipment twice changes nothing; an unknown order waits; a cancelled order rejects")
    func shipmentCases() throws {
        let order = try record(Sample.order(lines: [Sample.line("1", qty: "5", price: "1")]))
        let shipment = try Fulfilment(data: Sample.shipment("S-1", lines: [("1", "1")]))
        #expect(OrderDecisions.fulfil(shipment, existing: order, shipmentOrderID: "O-1", context: Sample.context) == .alreadyInvoiced)
        guard case .reject(let conflict) = OrderDecisions.fulfil(shipment, existing: order, shipmentOrderID: "O-2", context: Sample.context) else {
            Issue.record("expected a conflict"); return
        }
        #expect(conflict.code == "shipment_conflict")
        #expect(OrderDecisions.fulfil(shipment, existing: nil, shipmentOrderID: nil, context: Sample.context) == .waitForOrder)
        var cancelled = order
        cancelled.status = .cancelled
        guard case .reject(let rejection) = OrderDecisions.fulfil(shipment, existing: cancelled, shipmentOrderID: nil, context: Sample.context) else {
            Issue.record("expected a rejection"); return
        }
        #expect(rejection.code == "order_cancelled")
        let stranger = try Fulfilment(data: Sample.shipment("S-9", customer: "C-2", lines: [("1", "1")]))
        guard case .reject(let mismatch) = OrderDecisions.fulfil(stranger, existing: order, shipmentOrderID: nil, context: Sample.context) else {
            Issue.record("expected a rejection"); return
        }
        #expect(mismatch.code == "customer_mismatch")
    }

    @Test("amendments apply only before invoicing; cancellation stops billing")
    func amendAndCancel() throws {
        let original = try record(Sample.order(lines: [Sample.line("1", qty: "5", price: "1")]))
        let amended = try Order(data: Sample.order(lines: [Sample.line("1", qty: "7", price: "1")]), defaultPaymentTermDays: 14)
        guard case .update(let updated) = OrderDecisions.amend(amended, existing: original) else { Issue.record("expected update"); return }
        #expect(updated.order.lines[0].quantity == Decimal64(units: 7, scale: 0))
        let (_, invoiced) = try invoice(original, Sample.shipment("S-1", lines: [("1", "1")]))
        guard case .reject(let rejection) = OrderDecisions.amend(amended, existing: invoiced) else { Issue.record("expected rejection"); return }
        #expect(rejection.code == "order_already_invoiced")
        #expect(OrderDecisions.amend(amended, existing: nil) == .waitForOrder)
        let cancellation = try OrderCancellation(data: .object(["order_id": .string("O-1"), "customer_id": .string("C-1")]))
        guard case .update(let cancelled) = OrderDecisions.cancel(cancellation, existing: invoiced) else { Issue.record("expected update"); return }
        #expect(cancelled.status == .cancelled)
        #expect(OrderDecisions.cancel(cancellation, existing: cancelled) == .unchanged)
    }

    @Test("bad order data names the field", arguments: [
        (Sample.order(currency: "XYZ", lines: [Sample.line("1", qty: "1", price: "1")]), "currency"),
        (Sample.order(lines: [Sample.line("1", qty: "0", price: "1")]), "lines[0].quantity"),
        (Sample.order(lines: [Sample.line("1", qty: "1", price: "1.123456789")]), "lines[0].unit_price"),
        (Sample.order(lines: [Sample.line("1", qty: "1", price: "1", rate: "19", category: "Z")]), "lines[0].tax_rate"),
        (Sample.order(lines: [Sample.line("1", qty: "1", price: "1", discountAmount: "2")]), "lines[0].discount_amount"),
        (Sample.order(lines: [Sample.line("1", qty: "1", price: "1"), Sample.line("1", qty: "1", price: "1")]), "lines[1].line_id"),
        (Sample.order(lines: []), "lines"),
    ])
    func badOrders(data: JSONValue, path: String) {
        #expect(throws: DataError.self) { try Order(data: data, defaultPaymentTermDays: 30) }
        do {
            _ = try Order(data: data, defaultPaymentTermDays: 30)
        } catch {
            #expect(error.path == path)
        }
    }

    @Test("invoice numbers are per year with six digits")
    func numbering() {
        let numbering = InvoiceNumbering(prefix: "INV")
        let series = numbering.series(for: BusinessDate("2026-03-01")!)
        #expect(series == "INV-2026")
        #expect(numbering.number(series: series, sequence: 1) == "INV-2026-000001")
        #expect(numbering.number(series: series, sequence: 1_234_567) == "INV-2026-1234567")
    }

    @Test("the invoice document carries every part as decimal strings")
    func document() throws {
        let order = try record(Sample.order(lines: [Sample.line("1", qty: "3", price: "19.99")]))
        let (draft, _) = try invoice(order, Sample.shipment("S-1", lines: [("1", "2")]))
        let document = InvoiceDocument(Invoice(number: "INV-2026-000007", draft: draft))
        #expect(document.invoiceNumber == "INV-2026-000007")
        #expect(document.lines.first?.netAmount == "39.98")
        #expect(document.totals.gross == "47.58")
        #expect(document.purchaseOrder == "PO-9")
        let json = String(decoding: OutboundEnvelope(id: "invoice.issued/INV-2026-000007", source: "billingd", type: "invoice.issued", subject: "INV-2026-000007", time: RFC3339.format(Sample.context.now), data: document.json).encoded(), as: UTF8.self)
        // Written directly, the document is byte for byte the sorted-key form of its JSON tree.
        #expect(InvoiceDocument.jsonBytes(Invoice(number: "INV-2026-000007", draft: draft)) == document.json.jsonBytes)
        var optionalOrder = Sample.order(lines: [
            Sample.line("1", qty: "2", price: "3.10", discountPercent: "5", discountAmount: "0.20"),
            Sample.line("2", qty: "1", price: "7", rate: "0", category: "E"),
        ])
        if case .object(var members) = optionalOrder {
            members["buyer_reference"] = .string("REF-\"1\"")
            members["buyer"] = .object([
                "name": .string("Käufer AG"), "tax_id": .string("DE123"),
                "address": .object(["line1": .string("Hauptstr. 1"), "city": .string("Köln"), "postal_code": .string("50667"), "country": .string("DE")]),
            ])
            optionalOrder = .object(members)
        }
        let invoiceWithOptionals = Invoice(
            number: "INV-2026-000008", draft: try invoice(try record(optionalOrder), Sample.shipment("S-2", lines: [("1", "1"), ("2", "1")])).0)
        let withOptionals = InvoiceDocument(invoiceWithOptionals)
        #expect(InvoiceDocument.jsonBytes(invoiceWithOptionals) == withOptionals.json.jsonBytes)
        #expect(withOptionals.buyer.address?.city == "Köln" && withOptionals.buyerReference == "REF-\"1\"", "the optional parts are there")
        let envelope = OutboundEnvelope(id: "i", source: "s", type: "t", subject: "x\"y", time: "2026", data: withOptionals.json)
        #expect(envelope.encoded() == JSONValue.object([
            "specversion": .string("1.0"), "id": .string("i"), "source": .string("s"), "type": .string("t"), "subject": .string("x\"y"),
            "time": .string("2026"), "datacontenttype": .string("application/json"), "data": withOptionals.json,
        ]).jsonBytes)
        // The JSON form reads back through the Codable form billingctl uses.
        let decoded = try JSONDecoder().decode(InvoiceDocument.self, from: Data(document.json.jsonBytes))
        #expect(decoded == document)
        #expect(json.contains(#""gross":"47.58""#))
        #expect(json.contains(#""specversion":"1.0""#))
    }
}

@Suite("Applying payments")
struct PaymentTests {
    let eur = try! Currency(code: "EUR")

    func payment(_ amount: String, references: [String], customer: String = "C-1") throws -> PaymentReceived {
        try PaymentReceived(data: .object([
            "payment_id": .string("P-1"), "customer_id": .string(customer), "amount": .string(amount), "currency": .string("EUR"),
            "received_date": .string("2026-11-25"), "references": .array(references.map(JSONValue.string)),
        ]))
    }

    func open(_ number: String, order: String, gross: Int64, paid: Int64 = 0) -> OpenInvoice {
        OpenInvoice(number: number, orderID: order, customerID: "C-1", grossTotal: Money(minorUnits: gross, currency: eur), paid: Money(minorUnits: paid, currency: eur))
    }

    @Test("partial, exact and over payments")
    func amounts() throws {
        let invoices = [open("INV-1", order: "O-1", gross: 10000), open("INV-2", order: "O-2", gross: 5000, paid: 1000)]
        let partial = PaymentDecisions.apply(try payment("30.00", references: ["INV-1"]), candidates: invoices)
        #expect(partial.allocations.map { "\($0.invoiceNumber)=\($0.amount.minorUnits)/\($0.settlesInvoice)" } == ["INV-1=3000/false"])
        #expect(partial.unapplied.isZero)
        let both = PaymentDecisions.apply(try payment("140.00", references: ["INV-2", "INV-1"]), candidates: invoices)
        #expect(both.allocations.map { "\($0.invoiceNumber)=\($0.amount.minorUnits)/\($0.settlesInvoice)" } == ["INV-2=4000/true", "INV-1=10000/true"])
        #expect(both.unapplied.isZero)
        let over = PaymentDecisions.apply(try payment("150.00", references: ["O-1"]), candidates: invoices)
        #expect(over.allocations.map(\.amount.minorUnits) == [10000])
        #expect(over.unapplied.minorUnits == 5000)
    }

    @Test("an order reference pays its invoices oldest first; unknown references leave the money unapplied")
    func references() throws {
        let invoices = [open("INV-3", order: "O-1", gross: 100), open("INV-2", order: "O-1", gross: 100)]
        let application = PaymentDecisions.apply(try payment("1.50", references: ["O-1"]), candidates: invoices)
        #expect(application.allocations.map(\.invoiceNumber) == ["INV-2", "INV-3"])
        #expect(application.allocations.map(\.amount.minorUnits) == [100, 50])
        let nothing = PaymentDecisions.apply(try payment("5.00", references: ["nope"]), candidates: invoices)
        #expect(nothing.allocations.isEmpty)
        #expect(nothing.unapplied.minorUnits == 500)
    }
}

@Suite("Reading event data ahead of the store")
struct EventBodyTests {
    func envelope(type: String, data: JSONValue) throws -> InputEnvelope {
        let json = JSONValue.object([
            "specversion": .string("1.0"), "id": .string("e-1"), "source": .string("/test"), "type": .string(type), "data": data,
        ]).jsonBytes
        return try EnvelopeDecoder(maxPayloadBytes: 1 << 16).decode(json)
    }

    @Test("each type reads into its own case; the default terms apply to orders without terms")
    func types() throws {
        let placed = EventBody(try envelope(type: "order.placed", data: Sample.order(lines: [Sample.line("1", qty: "2", price: "5")], netDays: nil)), defaultPaymentTermDays: 21)
        #expect(placed.order?.orderID == "O-1")
        #expect(placed.order?.paymentTermDays == 21)
        #expect(placed.fulfilment == nil)
        let shipped = EventBody(try envelope(type: "order.fulfilled", data: Sample.shipment("S-1", lines: [("1", "1")])), defaultPaymentTermDays: 21)
        #expect(shipped.fulfilment?.shipmentID == "S-1")
        #expect(shipped.order == nil)
    }

    @Test("data that does not fit its type is .invalid, naming the field")
    func invalid() throws {
        let body = EventBody(try envelope(type: "order.placed", data: Sample.order(lines: [Sample.line("1", qty: "two", price: "5")])), defaultPaymentTermDays: 30)
        guard case .invalid(let error) = body else {
            Issue.record("expected .invalid, got \(body)")
            return
        }
        #expect(error.description.contains("lines[0].quantity"), "\(error.description)")
    }
}
