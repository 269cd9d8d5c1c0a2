import BillingCore

/// One invoice as lists show it.
public struct InvoiceSummary: Sendable, Equatable {
    public let number: String
    public let issueDate: String
    public let dueDate: String
    public let customerID: String
    public let orderID: String
    public let shipmentID: String
    public let status: String
    public let net: Money
    public let tax: Money
    public let gross: Money
    public let paid: Money

    /// What is still owed.
    public var open: Money { Money(minorUnits: gross.minorUnits - paid.minorUnits, currency: gross.currency) }
}

/// Which invoices to list.
public struct InvoiceFilter: Sendable {
    public var customerID: String?
    public var status: String?
    /// Issue date from (inclusive), `YYYY-MM-DD`.
    public var issuedFrom: String?
    /// Issue date to (inclusive), `YYYY-MM-DD`.
    public var issuedTo: String?
    public var limit: Int

    public init(customerID: String? = nil, status: String? = nil, issuedFrom: String? = nil, issuedTo: String? = nil, limit: Int = 1000) {
        self.customerID = customerID
        self.status = status
        self.issuedFrom = issuedFrom
        self.issuedTo = issuedTo
        self.limit = limit
    }
}

/// An invoice with its document and payments.
public struct InvoiceDetail: Sendable {
    public let summary: InvoiceSummary
    /// The stored `InvoiceDocument` JSON (the data of `invoice.issued`).
    public let documentJSON: String
    /// Payments applied, in order: payment id, amount, when.
    public let payments: [(paymentID: String, amount: Money, at: String)]
}

/// What a customer owes in one currency, as exact totals.
public struct CustomerBalance: Sendable, Equatable {
    public let customerID: String
    public let currency: Currency
    public let invoiceCount: Int
    public let invoiced: MoneyTotal
    public let paid: MoneyTotal
    /// Payments received but not applied to any invoice.
    public let unapplied: MoneyTotal

    /// Open invoice amounts minus unapplied payments: positive means the customer owes.
    public var balance: MoneyTotal { invoiced - paid - unapplied }
    /// What open invoices still owe.
    public var open: MoneyTotal { invoiced - paid }
}
