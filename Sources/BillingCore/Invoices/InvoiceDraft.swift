/// One line of an invoice: a quantity of an order line and its net amount.
public struct InvoiceLine: Hashable, Sendable {
    public let orderLine: OrderLine
    /// The quantity invoiced on this invoice.
    public let quantity: Decimal64
    /// Its net amount (by `LinePricing`).
    public let netAmount: Money
}

/// The tax of one category and rate on an invoice.
public struct TaxSubtotal: Hashable, Sendable {
    public let category: TaxCategory
    public let rate: TaxRate
    /// The sum of the net amounts of the lines with this category and rate.
    public let taxableAmount: Money
    /// `rate.tax(on: taxableAmount)`: the one rounding of tax.
    public let taxAmount: Money
}

/// An invoice before it has a number. Numbers are assigned by the store in the transaction that issues
/// the invoice, so a draft never burns one.
public struct InvoiceDraft: Hashable, Sendable {
    public let customerID: String
    public let orderID: String
    public let shipmentID: String
    public let shipDate: BusinessDate
    public let currency: Currency
    public let issueDate: BusinessDate
    public let dueDate: BusinessDate
    public let paymentTermDays: Int
    public let buyerReference: String?
    public let purchaseOrder: String?
    public let buyer: Party
    public let seller: Party
    public let lines: [InvoiceLine]
    /// By category, then rate.
    public let taxSubtotals: [TaxSubtotal]
    /// Σ line net amounts.
    public let netTotal: Money
    /// Σ tax subtotals.
    public let taxTotal: Money
    /// net + tax: what the customer owes.
    public let grossTotal: Money

    /// Builds the draft from lines, computing the tax breakdown and totals so that every total is
    /// exactly the sum of its parts.
    ///
    /// - Throws: `MoneyError.overflow`.
    init(order: Order, fulfilment: Fulfilment, lines: [InvoiceLine], issueDate: BusinessDate, seller: Party) throws(MoneyError) {
        customerID = order.customerID
        orderID = order.orderID
        shipmentID = fulfilment.shipmentID
        shipDate = fulfilment.shipDate
        currency = order.currency
        self.issueDate = issueDate
        dueDate = issueDate.adding(days: order.paymentTermDays)
        paymentTermDays = order.paymentTermDays
        buyerReference = order.buyerReference
        purchaseOrder = order.purchaseOrder
        buyer = order.buyer
        self.seller = seller
        self.lines = lines
        // Group by (category, rate). An invoice has few of them, so a list beats a dictionary here.
        var groups: [(category: TaxCategory, rate: TaxRate, taxable: Money)] = []
        for line in lines {
            let category = line.orderLine.taxCategory, rate = line.orderLine.taxRate
            if let index = groups.firstIndex(where: { $0.category == category && $0.rate == rate }) {
                groups[index].taxable = try groups[index].taxable.adding(line.netAmount)
            } else {
                groups.append((category, rate, line.netAmount))
            }
        }
        groups.sort { ($0.category.rawValue, $0.rate) < ($1.category.rawValue, $1.rate) }
        var subtotals: [TaxSubtotal] = []
        subtotals.reserveCapacity(groups.count)
        for group in groups {
            subtotals.append(TaxSubtotal(category: group.category, rate: group.rate, taxableAmount: group.taxable, taxAmount: try group.rate.tax(on: group.taxable)))
        }
        taxSubtotals = subtotals
        netTotal = try Money.sum(lines.lazy.map(\.netAmount), currency: currency)
        taxTotal = try Money.sum(subtotals.lazy.map(\.taxAmount), currency: currency)
        grossTotal = try netTotal.adding(taxTotal).withinMaximum()
    }
}

/// An issued invoice: a draft with its number.
public struct Invoice: Hashable, Sendable {
    public let number: String
    public let draft: InvoiceDraft

    public init(number: String, draft: InvoiceDraft) {
        self.number = number
        self.draft = draft
    }
}
