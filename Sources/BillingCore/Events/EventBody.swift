/// An event's data read into its billing type, or why it could not be.
///
/// Reading the data is pure and needs no stored state, so billingd does it while the previous batch is
/// still in its store transaction; the transaction only makes the decisions.
public enum EventBody: Sendable, Equatable {
    case order(Order)
    case cancellation(OrderCancellation)
    case fulfilment(Fulfilment)
    case payment(PaymentReceived)
    /// The data does not fit the type's contract: the event is dead-lettered as `invalid_data`.
    case invalid(DataError)

    /// Reads the envelope's data as its type says.
    public init(_ envelope: InputEnvelope, defaultPaymentTermDays: Int) {
        do throws(DataError) {
            switch envelope.type {
            case .orderPlaced, .orderAmended: self = .order(try Order(data: envelope.dataNode, defaultPaymentTermDays: defaultPaymentTermDays))
            case .orderCancelled: self = .cancellation(try OrderCancellation(data: envelope.dataNode))
            case .orderFulfilled: self = .fulfilment(try Fulfilment(data: envelope.dataNode))
            case .paymentReceived: self = .payment(try PaymentReceived(data: envelope.dataNode))
            }
        } catch {
            self = .invalid(error)
        }
    }
}

extension EventBody {
    public var order: Order? { if case .order(let value) = self { value } else { nil } }
    public var cancellation: OrderCancellation? { if case .cancellation(let value) = self { value } else { nil } }
    public var fulfilment: Fulfilment? { if case .fulfilment(let value) = self { value } else { nil } }
    public var payment: PaymentReceived? { if case .payment(let value) = self { value } else { nil } }
}
