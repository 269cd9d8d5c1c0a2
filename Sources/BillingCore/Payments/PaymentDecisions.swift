/// An invoice that a payment may pay.
public struct OpenInvoice: Hashable, Sendable {
    public let number: String
    public let orderID: String
    public let customerID: String
    public let grossTotal: Money
    public let paid: Money

    public init(number: String, orderID: String, customerID: String, grossTotal: Money, paid: Money) {
        self.number = number
        self.orderID = orderID
        self.customerID = customerID
        self.grossTotal = grossTotal
        self.paid = paid
    }

    /// What is still owed.
    public var open: Money { Money(minorUnits: grossTotal.minorUnits - paid.minorUnits, currency: grossTotal.currency) }
}

/// One part of a payment applied to one invoice.
public struct PaymentAllocation: Hashable, Sendable {
    public let invoiceNumber: String
    public let amount: Money
    /// Whether the invoice is paid in full with this allocation.
    public let settlesInvoice: Bool
}

/// The decision on a payment: how much goes to which invoice, and what is left unapplied.
public struct PaymentApplication: Hashable, Sendable {
    public let allocations: [PaymentAllocation]
    public let unapplied: Money
}

public enum PaymentDecisions {
    /// Applies a payment to the invoices its remittance references name, in reference order: an invoice
    /// number names that invoice, an order id names that order's invoices, oldest first. Each invoice
    /// gets at most what it still owes; what is left stays unapplied on the customer's account. Invoices
    /// of another customer or currency are skipped.
    ///
    /// - Parameter candidates: the customer's open invoices that the references name, in any order.
    public static func apply(_ payment: PaymentReceived, candidates: [OpenInvoice]) -> PaymentApplication {
        var ordered: [OpenInvoice] = []
        var taken: Set<String> = []
        for reference in payment.references {
            let matches = candidates.filter { $0.number == reference } + candidates.filter { $0.orderID == reference }.sorted { $0.number < $1.number }
            for invoice in matches where taken.insert(invoice.number).inserted {
                ordered.append(invoice)
            }
        }
        var remaining = payment.amount.minorUnits
        var allocations: [PaymentAllocation] = []
        for invoice in ordered where remaining > 0 {
            guard invoice.customerID == payment.customerID, invoice.grossTotal.currency == payment.amount.currency else { continue }
            let open = invoice.open.minorUnits
            guard open > 0 else { continue }
            let amount = min(open, remaining)
            remaining -= amount
            allocations.append(PaymentAllocation(
                invoiceNumber: invoice.number, amount: Money(minorUnits: amount, currency: payment.amount.currency), settlesInvoice: amount == open))
        }
        return PaymentApplication(allocations: allocations, unapplied: Money(minorUnits: remaining, currency: payment.amount.currency))
    }
}
