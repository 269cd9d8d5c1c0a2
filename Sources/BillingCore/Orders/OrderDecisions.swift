/// The decisions about orders and shipments. Pure: state and event in, decision out.
public enum OrderDecisions {
    /// What to do with `order.placed`.
    public enum Placement: Equatable, Sendable {
        /// Record the new order.
        case record(OrderRecord)
        /// The same order again (same content): nothing changes.
        case unchanged
        /// An order with this id exists with other content: a conflicting duplicate (changes go through
        /// `order.amended`).
        case conflict
    }

    public static func place(_ order: Order, existing: OrderRecord?) -> Placement {
        guard let existing else { return .record(OrderRecord(order: order)) }
        if existing.order == order { return .unchanged }
        return .conflict
    }

    /// What to do with an event about an order that may not be known yet.
    public enum Change: Equatable, Sendable {
        case update(OrderRecord)
        case unchanged
        /// The order is not known yet: keep the event until `order.placed` arrives.
        case waitForOrder
        case reject(EventRejection)
    }

    public static func amend(_ amended: Order, existing: OrderRecord?) -> Change {
        guard var record = existing else { return .waitForOrder }
        guard amended.customerID == record.order.customerID else {
            return .reject(.rejected(.customerMismatch, detail: "order \(amended.orderID) belongs to \(record.order.customerID), not \(amended.customerID)"))
        }
        if record.status == .cancelled {
            return .reject(.rejected(.orderCancelled, detail: "order \(amended.orderID) is cancelled and cannot be amended"))
        }
        if record.hasInvoices {
            return .reject(.rejected(.orderAlreadyInvoiced, detail: "order \(amended.orderID) is partly invoiced and cannot be amended"))
        }
        if record.order == amended { return .unchanged }
        record.order = amended
        return .update(record)
    }

    public static func cancel(_ cancellation: OrderCancellation, existing: OrderRecord?) -> Change {
        guard var record = existing else { return .waitForOrder }
        guard cancellation.customerID == record.order.customerID else {
            return .reject(.rejected(.customerMismatch, detail: "order \(cancellation.orderID) belongs to \(record.order.customerID), not \(cancellation.customerID)"))
        }
        guard record.status == .open else { return .unchanged }
        record.status = .cancelled
        return .update(record)
    }

    /// What to do with `order.fulfilled`.
    public enum Shipment: Equatable, Sendable {
        /// Issue this invoice and store the order's new state.
        case invoice(InvoiceDraft, OrderRecord)
        /// This shipment was invoiced before: nothing changes.
        case alreadyInvoiced
        case waitForOrder
        case reject(EventRejection)
    }

    /// Decides a shipment.
    ///
    /// - Parameter shipmentOrderID: the order a shipment with this id was already invoiced for, if any.
    public static func fulfil(_ fulfilment: Fulfilment, existing: OrderRecord?, shipmentOrderID: String?, context: BillingContext, today: BusinessDate? = nil) -> Shipment {
        if let shipmentOrderID {
            if shipmentOrderID == fulfilment.orderID { return .alreadyInvoiced }
            return .reject(.rejected(.shipmentConflict, detail: "shipment \(fulfilment.shipmentID) was invoiced for order \(shipmentOrderID), not \(fulfilment.orderID)"))
        }
        guard var record = existing else { return .waitForOrder }
        let order = record.order
        guard fulfilment.customerID == order.customerID else {
            return .reject(.rejected(.customerMismatch, detail: "order \(order.orderID) belongs to \(order.customerID), not \(fulfilment.customerID)"))
        }
        guard record.status != .cancelled else {
            return .reject(.rejected(.orderCancelled, detail: "order \(order.orderID) is cancelled; shipment \(fulfilment.shipmentID) is not billable"))
        }
        var lines: [InvoiceLine] = []
        do {
            for shipped in fulfilment.lines {
                guard let line = order.line(shipped.lineID) else {
                    return .reject(.rejected(.unknownOrderLine, detail: "order \(order.orderID) has no line \(shipped.lineID)"))
                }
                let remaining = try record.remaining(line)
                guard shipped.quantity <= remaining else {
                    return .reject(.rejected(
                        .overFulfilment,
                        detail: "shipment \(fulfilment.shipmentID) ships \(shipped.quantity) of line \(line.lineID) of order \(order.orderID), but only \(remaining) of \(line.quantity) is left to invoice"))
                }
                let before = record.invoicedQuantities[line.lineID] ?? .zero
                let after = try before.adding(shipped.quantity)
                let amount = try LinePricing.netAmount(line, invoicedQuantity: after, currency: order.currency)
                    .subtracting(try LinePricing.netAmount(line, invoicedQuantity: before, currency: order.currency))
                lines.append(InvoiceLine(orderLine: line, quantity: shipped.quantity, netAmount: amount))
                record.invoicedQuantities[line.lineID] = after
            }
            if try order.lines.allSatisfy({ line throws(MoneyError) in try record.remaining(line).isZero }) {
                record.status = .invoiced
            }
            let draft = try InvoiceDraft(order: order, fulfilment: fulfilment, lines: lines, issueDate: today ?? context.today, seller: context.seller)
            return .invoice(draft, record)
        } catch {
            return .reject(.invalidData(type: InputEventType.orderFulfilled.rawValue, detail: "amounts of shipment \(fulfilment.shipmentID): \(error)"))
        }
    }
}
