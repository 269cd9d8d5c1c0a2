/// The whole invoice as JSON: the data of `invoice.issued` and the stored copy of each invoice.
/// Amounts are decimal strings with the currency's decimals.
public struct InvoiceDocument: Codable, Sendable, Equatable {
    public struct Line: Codable, Sendable, Equatable {
        public let lineID: String
        public let sku: String?
        public let description: String
        public let quantity: String
        public let unit: String
        public let unitPrice: String
        public let discountPercent: String?
        public let discountAmount: String?
        public let netAmount: String
        public let taxCategory: String
        public let taxRate: String

        enum CodingKeys: String, CodingKey {
            case lineID = "line_id", sku, description, quantity, unit
            case unitPrice = "unit_price", discountPercent = "discount_percent", discountAmount = "discount_amount"
            case netAmount = "net_amount", taxCategory = "tax_category", taxRate = "tax_rate"
        }
    }

    public struct TaxBreakdown: Codable, Sendable, Equatable {
        public let taxCategory: String
        public let taxRate: String
        public let taxableAmount: String
        public let taxAmount: String

        enum CodingKeys: String, CodingKey {
            case taxCategory = "tax_category", taxRate = "tax_rate", taxableAmount = "taxable_amount", taxAmount = "tax_amount"
        }
    }

    public struct Totals: Codable, Sendable, Equatable {
        public let net: String
        public let tax: String
        public let gross: String
        public let due: String
    }

    public let invoiceNumber: String
    public let issueDate: String
    public let dueDate: String
    public let currency: String
    public let customerID: String
    public let orderID: String
    public let shipmentID: String
    public let shipDate: String
    public let paymentTerms: PaymentTermsDocument
    public let buyerReference: String?
    public let purchaseOrder: String?
    public let seller: Party
    public let buyer: Party
    public let lines: [Line]
    public let taxBreakdown: [TaxBreakdown]
    public let totals: Totals

    public struct PaymentTermsDocument: Codable, Sendable, Equatable {
        public let netDays: Int
        enum CodingKeys: String, CodingKey { case netDays = "net_days" }
    }

    enum CodingKeys: String, CodingKey {
        case invoiceNumber = "invoice_number", issueDate = "issue_date", dueDate = "due_date", currency
        case customerID = "customer_id", orderID = "order_id", shipmentID = "shipment_id", shipDate = "ship_date"
        case paymentTerms = "payment_terms", buyerReference = "buyer_reference", purchaseOrder = "purchase_order"
        case seller, buyer, lines, taxBreakdown = "tax_breakdown", totals
    }

    /// The document of an issued invoice.
    public init(_ invoice: Invoice) {
        let draft = invoice.draft
        invoiceNumber = invoice.number
        issueDate = draft.issueDate.description
        dueDate = draft.dueDate.description
        currency = draft.currency.code
        customerID = draft.customerID
        orderID = draft.orderID
        shipmentID = draft.shipmentID
        shipDate = draft.shipDate.description
        paymentTerms = PaymentTermsDocument(netDays: draft.paymentTermDays)
        buyerReference = draft.buyerReference
        purchaseOrder = draft.purchaseOrder
        seller = draft.seller
        buyer = draft.buyer
        lines = draft.lines.map { line in
            Line(
                lineID: line.orderLine.lineID, sku: line.orderLine.sku, description: line.orderLine.description,
                quantity: line.quantity.description, unit: line.orderLine.unit, unitPrice: line.orderLine.unitPrice.description,
                discountPercent: line.orderLine.discountPercent?.description, discountAmount: line.orderLine.discountAmount?.amountString,
                netAmount: line.netAmount.amountString, taxCategory: line.orderLine.taxCategory.rawValue,
                taxRate: line.orderLine.taxRate.description)
        }
        taxBreakdown = draft.taxSubtotals.map {
            TaxBreakdown(taxCategory: $0.category.rawValue, taxRate: $0.rate.description, taxableAmount: $0.taxableAmount.amountString, taxAmount: $0.taxAmount.amountString)
        }
        totals = Totals(net: draft.netTotal.amountString, tax: draft.taxTotal.amountString, gross: draft.grossTotal.amountString, due: draft.grossTotal.amountString)
    }
}
