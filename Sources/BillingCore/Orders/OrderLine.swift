/// One line of an order: what was sold, how many, at what price and tax.
public struct OrderLine: Hashable, Sendable {
    public let lineID: String
    public let sku: String?
    public let description: String
    /// The ordered quantity (> 0), up to `Order.quantityScale` decimals.
    public let quantity: Decimal64
    /// The unit of measure (UN/ECE Rec 20 code such as `C62`, `HUR`, or free text); `C62` (one) by default.
    public let unit: String
    /// The price of one unit, net of tax, up to `Order.unitPriceExtraScale` decimals beyond the currency's.
    public let unitPrice: Decimal64
    public let taxCategory: TaxCategory
    public let taxRate: TaxRate
    /// A percentage taken off the line (0–100).
    public let discountPercent: Decimal64?
    /// A fixed amount taken off the whole line, spread over partial shipments by quantity.
    public let discountAmount: Money?
}
