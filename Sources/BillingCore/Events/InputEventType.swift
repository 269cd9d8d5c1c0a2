/// The event types billingd consumes. Anything else is dead-lettered as `unknown_type`.
public enum InputEventType: String, Sendable, CaseIterable {
    case orderPlaced = "order.placed"
    case orderAmended = "order.amended"
    case orderCancelled = "order.cancelled"
    case orderFulfilled = "order.fulfilled"
    case paymentReceived = "payment.received"
}
