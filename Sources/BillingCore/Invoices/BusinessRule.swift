/// A business rule an otherwise well-formed event breaks; it goes to the dead-letter topic with the
/// rule's code as the reason, so a person can fix the source data and resend.
public enum BusinessRule: String, Sendable, CaseIterable {
    /// The shipment is for more than is left to invoice on a line.
    case overFulfilment = "over_fulfilment"
    /// The shipment names a line the order does not have.
    case unknownOrderLine = "unknown_order_line"
    /// The order is cancelled.
    case orderCancelled = "order_cancelled"
    /// The event's customer is not the order's customer.
    case customerMismatch = "customer_mismatch"
    /// The same business key (event id, order id, shipment id, payment id) arrived before with other
    /// content; the first version stands, and the new one waits for a person.
    case conflictingDuplicate = "conflicting_duplicate"
    /// The order cannot be amended: part of it is invoiced already.
    case orderAlreadyInvoiced = "order_already_invoiced"
    /// A shipment id was used before for a different order.
    case shipmentConflict = "shipment_conflict"
}
