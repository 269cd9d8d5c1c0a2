/// A shipment of (part of) an order: `order.fulfilled`.
public struct Fulfilment: Hashable, Sendable {
    public struct Line: Hashable, Sendable {
        public let lineID: String
        public let quantity: Decimal64
    }

    public let shipmentID: String
    public let orderID: String
    public let customerID: String
    public let shipDate: BusinessDate
    public let lines: [Line]

    /// Reads a fulfilment from event data.
    ///
    /// - Throws: `DataError` naming the first bad field.
    public init(data: JSONNode) throws(DataError) {
        let reader = try DataReader(data)
        shipmentID = try reader.string("shipment_id")
        orderID = try reader.string("order_id")
        customerID = try reader.string("customer_id")
        shipDate = try reader.date("ship_date")
        var lines: [Line] = []
        var seen = DistinctKeys()
        for line in try reader.objects("lines") {
            let id = try line.string("line_id")
            guard seen.insert(id) else { throw DataError(path: line.fieldPath("line_id"), problem: "'\(id)' appears twice") }
            let quantity = try line.quantity("quantity")
            lines.append(Line(lineID: id, quantity: quantity))
        }
        self.lines = lines
    }
}

/// `order.cancelled`: what is not yet invoiced is no longer billable.
public struct OrderCancellation: Hashable, Sendable {
    public let orderID: String
    public let customerID: String
    public let reason: String?

    /// Reads a cancellation from event data.
    ///
    /// - Throws: `DataError` naming the first bad field.
    public init(data: JSONNode) throws(DataError) {
        let reader = try DataReader(data)
        orderID = try reader.string("order_id")
        customerID = try reader.string("customer_id")
        reason = try reader.optionalString("reason")
    }
}
