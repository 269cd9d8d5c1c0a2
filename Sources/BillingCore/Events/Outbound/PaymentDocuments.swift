/// The data of `payment.applied`: how one payment was applied.
public struct PaymentAppliedDocument: Codable, Sendable, Equatable {
    public struct Allocation: Codable, Sendable, Equatable {
        public let invoiceNumber: String
        public let amount: String
        /// What the invoice still owes after this payment.
        public let invoiceOpenAmount: String
        public let invoiceStatus: String

        public init(invoiceNumber: String, amount: String, invoiceOpenAmount: String, invoiceStatus: String) {
            self.invoiceNumber = invoiceNumber
            self.amount = amount
            self.invoiceOpenAmount = invoiceOpenAmount
            self.invoiceStatus = invoiceStatus
        }

        enum CodingKeys: String, CodingKey {
            case invoiceNumber = "invoice_number", amount, invoiceOpenAmount = "invoice_open_amount", invoiceStatus = "invoice_status"
        }
    }

    public let paymentID: String
    public let customerID: String
    public let currency: String
    public let amount: String
    public let receivedDate: String
    public let allocations: [Allocation]
    public let unappliedAmount: String

    public init(paymentID: String, customerID: String, currency: String, amount: String, receivedDate: String, allocations: [Allocation], unappliedAmount: String) {
        self.paymentID = paymentID
        self.customerID = customerID
        self.currency = currency
        self.amount = amount
        self.receivedDate = receivedDate
        self.allocations = allocations
        self.unappliedAmount = unappliedAmount
    }

    enum CodingKeys: String, CodingKey {
        case paymentID = "payment_id", customerID = "customer_id", currency, amount, receivedDate = "received_date", allocations
        case unappliedAmount = "unapplied_amount"
    }
}

/// The data of `invoice.paid`: an invoice is paid in full.
public struct InvoicePaidDocument: Codable, Sendable, Equatable {
    public let invoiceNumber: String
    public let customerID: String
    public let currency: String
    public let grossTotal: String
    public let paidDate: String
    /// The payments that paid it, in order.
    public let paymentIDs: [String]

    public init(invoiceNumber: String, customerID: String, currency: String, grossTotal: String, paidDate: String, paymentIDs: [String]) {
        self.invoiceNumber = invoiceNumber
        self.customerID = customerID
        self.currency = currency
        self.grossTotal = grossTotal
        self.paidDate = paidDate
        self.paymentIDs = paymentIDs
    }

    enum CodingKeys: String, CodingKey {
        case invoiceNumber = "invoice_number", customerID = "customer_id", currency, grossTotal = "gross_total"
        case paidDate = "paid_date", paymentIDs = "payment_ids"
    }
}
