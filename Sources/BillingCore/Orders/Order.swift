/// An order as billingd keeps it: who buys what on which terms.
public struct Order: Hashable, Sendable {
    public let orderID: String
    public let customerID: String
    public let currency: Currency
    public let orderDate: BusinessDate
    public let lines: [OrderLine]
    /// Days from the issue date to the due date.
    public let paymentTermDays: Int
    /// The buyer's reference (EN 16931 BT-10).
    public let buyerReference: String?
    /// The buyer's purchase order number (BT-13).
    public let purchaseOrder: String?
    public let buyer: Party

    /// Decimals allowed in a quantity.
    public static let quantityScale = 4
    /// The largest quantity of a line or a shipped line: one billion units.
    public static let maximumQuantity = Decimal64(units: 1_000_000_000, scale: 0)
    /// The largest unit price, in minor units: 10^14 − 1 (999,999,999,999.99 EUR). A unit price carries
    /// `unitPriceExtraScale` more decimals than its currency, and must still fit 64 bits at that scale.
    public static let maximumUnitPriceMinorUnits: Int64 = 99_999_999_999_999
    /// Decimals a unit price may have beyond the currency's own.
    public static let unitPriceExtraScale = 4

    /// The line with this id.
    public func line(_ id: String) -> OrderLine? { lines.first { $0.lineID == id } }
}
