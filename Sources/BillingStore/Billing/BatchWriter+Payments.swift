import BillingCore
import Foundation
import GRDB

extension BatchWriter {
    mutating func handlePayment(_ event: SourcedEvent) throws {
        guard let payment = try read(event, as: \.payment) else { return }
        var known = false
        try db.each("SELECT 1 FROM payment WHERE payment_id = ?", [.text(payment.paymentID)]) { _ in known = true }
        if known {
            outcome.duplicatesSkipped += 1
            return try audit(entity: "payment", id: payment.paymentID, action: "duplicate_ignored", detail: [:], event: event)
        }
        let candidates = try openInvoices(customerID: payment.customerID, references: payment.references)
        let application = PaymentDecisions.apply(payment, candidates: candidates)
        let receivedDate = payment.receivedDate.description
        let amount = payment.amount.amountString
        let unapplied = application.unapplied.amountString
        try db.run(
            """
            INSERT INTO payment (payment_id, customer_id, currency, amount_minor, unapplied_minor, received_date, references_json, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(payment.paymentID), .text(payment.customerID), .text(payment.amount.currency.code), .integer(payment.amount.minorUnits),
                .integer(application.unapplied.minorUnits), .text(receivedDate),
                .text(JSONValue.stringArrayJSON(payment.references)), .text(at),
            ])
        var allocations: [PaymentAppliedDocument.Allocation] = []
        let candidatesByNumber = Dictionary(candidates.map { ($0.number, $0) }, uniquingKeysWith: { first, _ in first })
        for allocation in application.allocations {
            // The decision allocates only to the candidates it was given: anything else is a bug, and the
            // batch rolls back rather than lose the allocation.
            guard let invoice = candidatesByNumber[allocation.invoiceNumber] else {
                throw DatabaseError(resultCode: .SQLITE_ERROR, message: "payment \(payment.paymentID) allocated to unknown invoice \(allocation.invoiceNumber)")
            }
            try db.run(
                "INSERT INTO payment_allocation (payment_id, invoice_number, amount_minor, created_at) VALUES (?, ?, ?, ?)",
                [.text(payment.paymentID), .text(allocation.invoiceNumber), .integer(allocation.amount.minorUnits), .text(at)])
            let paid = try invoice.paid.adding(allocation.amount)
            let status = paid == invoice.grossTotal ? "paid" : "partially_paid"
            // The row must still show what the decision read: anything else is a bug, and the batch rolls back.
            try db.run(
                "UPDATE invoice SET paid_minor = ?, status = ?, updated_at = ? WHERE number = ? AND paid_minor = ?",
                [.integer(paid.minorUnits), .text(status), .text(at), .text(allocation.invoiceNumber), .integer(invoice.paid.minorUnits)])
            guard db.changesCount == 1 else {
                throw DatabaseError(resultCode: .SQLITE_ERROR, message: "invoice \(allocation.invoiceNumber) changed under a payment")
            }
            let open = try invoice.grossTotal.subtracting(paid)
            let allocated = allocation.amount.amountString
            allocations.append(PaymentAppliedDocument.Allocation(
                invoiceNumber: allocation.invoiceNumber, amount: allocated, invoiceOpenAmount: open.amountString, invoiceStatus: status))
            try audit(
                entity: "invoice", id: allocation.invoiceNumber, action: "payment_applied",
                detail: ["payment_id": payment.paymentID, "amount": allocated, "status": status], event: event)
            if status == "paid" {
                let paymentIDs = try String.fetchAll(
                    try statement("SELECT payment_id FROM payment_allocation WHERE invoice_number = ? ORDER BY id"), arguments: [allocation.invoiceNumber])
                publish(
                    type: .invoicePaid, id: allocation.invoiceNumber, subject: allocation.invoiceNumber, customerID: payment.customerID,
                    dataJSON: InvoicePaidDocument(
                        invoiceNumber: allocation.invoiceNumber, customerID: payment.customerID, currency: payment.amount.currency.code,
                        grossTotal: invoice.grossTotal.amountString,
                        paidDate: receivedDate, paymentIDs: paymentIDs).jsonBytes)
            }
        }
        publish(
            type: .paymentApplied, id: payment.paymentID, subject: payment.paymentID, customerID: payment.customerID,
            dataJSON: PaymentAppliedDocument(
                paymentID: payment.paymentID, customerID: payment.customerID, currency: payment.amount.currency.code,
                amount: amount, receivedDate: receivedDate, allocations: allocations,
                unappliedAmount: unapplied).jsonBytes)
        try audit(
            entity: "payment", id: payment.paymentID, action: "received",
            detail: ["amount": amount, "currency": payment.amount.currency.code, "unapplied": unapplied],
            event: event)
        outcome.paymentsRecorded += 1
    }

    /// The customer's unpaid invoices that any reference names, by number or by order id.
    func openInvoices(customerID: String, references: [String]) throws -> [OpenInvoice] {
        guard !references.isEmpty else { return [] }
        // One statement per reference: the invoice with that number, and the invoices of that order,
        // each found through its own index.
        var invoices: [OpenInvoice] = []
        var seen: Set<String> = []
        for reference in references {
            try db.each(
                """
                SELECT number, order_id, currency, gross_minor, paid_minor FROM invoice WHERE number = ?1 AND customer_id = ?2 AND status <> 'paid'
                UNION ALL
                SELECT number, order_id, currency, gross_minor, paid_minor FROM invoice WHERE order_id = ?1 AND customer_id = ?2 AND status <> 'paid'
                """,
                [.text(reference), .text(customerID)]
            ) { row in
                let number = row.text(0)
                guard seen.insert(number).inserted else { return }
                let currency = try Currency(code: row.text(2))
                invoices.append(OpenInvoice(
                    number: number, orderID: row.text(1), customerID: customerID,
                    grossTotal: Money(minorUnits: row.integer(3), currency: currency), paid: Money(minorUnits: row.integer(4), currency: currency)))
            }
        }
        return invoices
    }
}
