/// An order with what has happened to it: the state billing decisions read.
public struct OrderRecord: Hashable, Sendable {
    public enum Status: String, Sendable, Codable {
        /// Open: may be fulfilled and invoiced.
        case open
        /// Cancelled: what is not invoiced is no longer billable.
        case cancelled
        /// Every line is invoiced in full.
        case invoiced
    }

    public var order: Order
    public var status: Status
    /// The quantity invoiced so far, by line id.
    public var invoicedQuantities: [String: Decimal64]

    public init(order: Order, status: Status = .open, invoicedQuantities: [String: Decimal64] = [:]) {
        self.order = order
        self.status = status
        self.invoicedQuantities = invoicedQuantities
    }

    /// Whether any line has been invoiced.
    public var hasInvoices: Bool { invoicedQuantities.values.contains { !$0.isZero } }

    /// The quantity still to invoice on a line.
    public func remaining(_ line: OrderLine) throws(MoneyError) -> Decimal64 {
        let done = invoicedQuantities[line.lineID] ?? .zero
        return try line.quantity.adding(Decimal64(units: -done.units, scale: done.scale))
    }
}
