import BillingCore
import Foundation
import GRDB

/// What a batch read ahead from the committed state (the state before the batch) for its events.
struct BatchStart {
    /// The event keys looked up, and those of them processed by an earlier batch.
    var checkedKeys: Set<String> = []
    var processedKeys: Set<String> = []
    /// Orders looked up that the caches did not hold: found, or known to be absent.
    var orders: [String: OrderRecord] = [:]
    var absentOrders: Set<String> = []
    /// Shipments looked up, and the order each invoiced one was invoiced for.
    var checkedShipments: Set<String> = []
    var invoicedShipments: [String: String] = [:]
    /// Payments looked up, and those recorded already.
    var checkedPayments: Set<String> = []
    var knownPayments: Set<String> = []
    /// The unpaid invoices each (customer, remittance reference) named.
    var openInvoices: [Reference: [OpenInvoice]] = [:]

    struct Reference: Hashable {
        let customerID: String
        let reference: String
    }
}

/// What a batch changed so far, as its later events must see it over `BatchStart`.
struct BatchOverlay {
    var handledKeys: Set<String> = []
    var recordedPayments: Set<String> = []
    /// Shipment → order, for the invoices this batch issued.
    var invoicedShipments: [String: String] = [:]
    /// Every invoice this batch issued or paid, as it stands now.
    var invoices: [String: OpenInvoice] = [:]
    /// The invoices this batch issued, by order, and the payments allocated to each.
    var issuedByOrder: [String: [String]] = [:]
    var paymentsOfIssued: [String: [String]] = [:]
}

extension BatchWriter {
    /// Sizes the batch's tables of keys for its events once, rather than have them grow (and hash every
    /// key again) as the batch goes.
    mutating func reserve(for events: [SourcedEvent]) {
        var orders = 0
        var shipments = 0
        var payments = 0
        for event in events {
            switch event.envelope.type {
            case .orderPlaced, .orderAmended, .orderCancelled: orders += 1
            case .orderFulfilled: shipments += 1
            case .paymentReceived: payments += 1
            }
        }
        start.checkedKeys.reserveCapacity(events.count)
        overlay.handledKeys.reserveCapacity(events.count)
        start.absentOrders.reserveCapacity(orders)
        changedOrders.reserveCapacity(orders + shipments)
        start.checkedShipments.reserveCapacity(shipments)
        overlay.invoicedShipments.reserveCapacity(shipments)
        overlay.issuedByOrder.reserveCapacity(shipments)
        overlay.paymentsOfIssued.reserveCapacity(shipments)
        overlay.invoices.reserveCapacity(shipments + payments)
        start.checkedPayments.reserveCapacity(payments)
        overlay.recordedPayments.reserveCapacity(payments)
        start.openInvoices.reserveCapacity(payments)
    }

    /// Reads, from the committed state, what these events will need; the batch's writes so far go on
    /// meanwhile. Events without their data read (and events released from waiting) are looked up when
    /// they are processed instead.
    mutating func prefetch(_ events: ArraySlice<SourcedEvent>) throws {
        for event in events {
            let key = event.envelope.eventKey
            if start.checkedKeys.insert(key).inserted, try rowExists(Self.selectProcessedEvent, key, current: false) {
                start.processedKeys.insert(key)
            }
            switch event.body {
            case .order(let order): try prefetchOrder(order.orderID)
            case .cancellation(let cancellation): try prefetchOrder(cancellation.orderID)
            case .fulfilment(let fulfilment):
                try prefetchOrder(fulfilment.orderID)
                if start.checkedShipments.insert(fulfilment.shipmentID).inserted {
                    var orderID: String?
                    try reader.each(Self.selectShipmentOrder, [.text(fulfilment.shipmentID)]) { orderID = $0.text(0) }
                    if let orderID { start.invoicedShipments[fulfilment.shipmentID] = orderID }
                }
            case .payment(let payment):
                if start.checkedPayments.insert(payment.paymentID).inserted,
                    try rowExists(Self.selectPayment, payment.paymentID, current: false)
                {
                    start.knownPayments.insert(payment.paymentID)
                }
                for reference in payment.references {
                    let key = BatchStart.Reference(customerID: payment.customerID, reference: reference)
                    if start.openInvoices[key] == nil {
                        start.openInvoices[key] = try readOpenInvoices(customerID: payment.customerID, reference: reference, current: false)
                    }
                }
            case .invalid, nil: break
            }
        }
    }

    private mutating func prefetchOrder(_ orderID: String) throws {
        guard inherited?.orders[orderID] == nil, cache.get(orderID) == nil, start.orders[orderID] == nil, !start.absentOrders.contains(orderID) else {
            return
        }
        if let record = try readOrder(orderID, current: false) {
            start.orders[orderID] = record
            rememberCommitted(record)
        } else {
            start.absentOrders.insert(orderID)
        }
    }

    /// The customer's unpaid invoices with this number or of this order: as committed, or with `current`
    /// as they stand after this batch's writes so far.
    mutating func readOpenInvoices(customerID: String, reference: String, current: Bool) throws -> [OpenInvoice] {
        var invoices: [OpenInvoice] = []
        try lookup(Self.selectOpenInvoices, [.text(reference), .text(customerID)], current: current        ) { row in
            let currency = try Currency(code: row.text(2))
            invoices.append(OpenInvoice(
                number: row.text(0), orderID: row.text(1), customerID: customerID,
                grossTotal: Money(minorUnits: row.integer(3), currency: currency), paid: Money(minorUnits: row.integer(4), currency: currency)))
        }
        return invoices
    }

    /// The customer's unpaid invoices that any reference names, by number or by order id, as they stand
    /// in this batch.
    mutating func openInvoices(customerID: String, references: [String]) throws -> [OpenInvoice] {
        var invoices: [OpenInvoice] = []
        var seen: Set<String> = []
        for reference in references {
            var found: [OpenInvoice]
            if let stored = start.openInvoices[BatchStart.Reference(customerID: customerID, reference: reference)] {
                // As stored at the batch start, then as this batch (or the batch before, while it is carried)
                // changed them, plus those either issued.
                let carried = inherited?.overlay
                func current(_ number: String) -> OpenInvoice? { overlay.invoices[number] ?? carried?.invoices[number] }
                found = stored.map { current($0.number) ?? $0 }
                func addIssued(by issuer: BatchOverlay) {
                    if issuer.paymentsOfIssued[reference] != nil, let issued = current(reference) { found.append(issued) }
                    for number in issuer.issuedByOrder[reference] ?? [] {
                        if let issued = current(number) { found.append(issued) }
                    }
                }
                addIssued(by: overlay)
                if let carried { addIssued(by: carried) }
            } else {
                found = try readOpenInvoices(customerID: customerID, reference: reference, current: true)
            }
            for invoice in found where invoice.customerID == customerID && invoice.paid != invoice.grossTotal {
                if seen.insert(invoice.number).inserted { invoices.append(invoice) }
            }
        }
        return invoices
    }
}

extension BatchWriter {
    static let selectPayment = PipelineStatement("SELECT 1 FROM payment WHERE payment_id = ?")
    static let selectShipmentOrder = PipelineStatement("SELECT order_id FROM invoice WHERE shipment_id = ?")
    static let selectOpenInvoices = PipelineStatement(
        """
        SELECT number, order_id, currency, gross_minor, paid_minor FROM invoice WHERE number = ?1 AND customer_id = ?2 AND status <> 'paid'
        UNION ALL
        SELECT number, order_id, currency, gross_minor, paid_minor FROM invoice WHERE order_id = ?1 AND customer_id = ?2 AND status <> 'paid'
        """)
}
