import BillingCore
import Foundation
import GRDB

extension BatchWriter {
    mutating func handlePayment(_ event: SourcedEvent) throws {
        guard let payment = try read(event, as: { $0.payment }) else { return }
        if try paymentRecorded(payment.paymentID) {
            if let conflict = try conflictingPayment(payment, event: event) { return try reject(event, conflict) }
            outcome.duplicatesSkipped += 1
            return try audit(entity: "payment", id: payment.paymentID, action: "duplicate_ignored", detail: [:], event: event)
        }
        let candidates = try openInvoices(customerID: payment.customerID, references: payment.references)
        let application = PaymentDecisions.apply(payment, candidates: candidates)
        let receivedDate = payment.receivedDate.description
        let amount = payment.amount.amountString
        let unapplied = application.unapplied.amountString
        overlay.recordedPayments.insert(payment.paymentID)
        let at = self.at
        write(Self.insertPayment) {
            $0.text(payment.paymentID)
            $0.text(payment.customerID)
            $0.text(payment.amount.currency.code)
            $0.integer(payment.amount.minorUnits)
            $0.integer(application.unapplied.minorUnits)
            $0.text(receivedDate)
            $0.text(JSONValue.stringArrayJSON(payment.references))
            $0.text(at)
            $0.text(event.envelope.eventKey)
        }
        var allocations: [PaymentAppliedDocument.Allocation] = []
        let candidatesByNumber = Dictionary(candidates.map { ($0.number, $0) }, uniquingKeysWith: { first, _ in first })
        for allocation in application.allocations {
            // The decision allocates only to the candidates it was given: anything else is a bug, and the
            // batch rolls back rather than lose the allocation.
            guard let invoice = candidatesByNumber[allocation.invoiceNumber] else {
                throw DatabaseError(resultCode: .SQLITE_ERROR, message: "payment \(payment.paymentID) allocated to unknown invoice \(allocation.invoiceNumber)")
            }
            write(Self.insertAllocation) {
                $0.text(payment.paymentID)
                $0.text(allocation.invoiceNumber)
                $0.integer(allocation.amount.minorUnits)
                $0.text(at)
            }
            let paid = try invoice.paid.adding(allocation.amount)
            let status = paid == invoice.grossTotal ? "paid" : "partially_paid"
            // The row must still show what the decision read: anything else is a bug, and the batch rolls back.
            write(Self.updateInvoicePaid, expecting: .init(changes: 1, subject: "invoice", key: allocation.invoiceNumber, problem: "changed under a payment")) {
                $0.integer(paid.minorUnits)
                $0.text(status)
                $0.text(at)
                $0.text(allocation.invoiceNumber)
                $0.integer(invoice.paid.minorUnits)
            }
            overlay.invoices[invoice.number] = OpenInvoice(
                number: invoice.number, orderID: invoice.orderID, customerID: invoice.customerID, grossTotal: invoice.grossTotal, paid: paid)
            // The payments of an invoice issued by this batch, or by the batch before while it is carried.
            if overlay.paymentsOfIssued[invoice.number] == nil, let earlier = inherited?.overlay.paymentsOfIssued[invoice.number] {
                overlay.paymentsOfIssued[invoice.number] = earlier
            }
            overlay.paymentsOfIssued[invoice.number]?.append(payment.paymentID)
            let open = try invoice.grossTotal.subtracting(paid)
            let allocated = allocation.amount.amountString
            allocations.append(PaymentAppliedDocument.Allocation(
                invoiceNumber: allocation.invoiceNumber, amount: allocated, invoiceOpenAmount: open.amountString, invoiceStatus: status))
            try audit(
                entity: "invoice", id: allocation.invoiceNumber, action: "payment_applied",
                detail: ["amount": allocated, "payment_id": payment.paymentID, "status": status], event: event)
            if status == "paid" {
                let paymentIDs = try payments(of: allocation.invoiceNumber)
                publish(
                    type: .invoicePaid, subject: allocation.invoiceNumber, customerID: payment.customerID,
                    dataJSON: InvoicePaidDocument(
                        invoiceNumber: allocation.invoiceNumber, customerID: payment.customerID, currency: payment.amount.currency.code,
                        grossTotal: invoice.grossTotal.amountString,
                        paidDate: receivedDate, paymentIDs: paymentIDs).jsonBytes)
            }
        }
        publish(
            type: .paymentApplied, subject: payment.paymentID, customerID: payment.customerID,
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

    /// Whether a payment with this id was recorded, by an earlier batch or earlier in this one.
    private mutating func paymentRecorded(_ paymentID: String) throws -> Bool {
        if inherited?.overlay.recordedPayments.contains(paymentID) == true { return true }
        return try exists(
            paymentID, addedByBatch: overlay.recordedPayments, readAhead: start.checkedPayments, foundAhead: start.knownPayments,
            query: Self.selectPayment)
    }

    /// For a payment id recorded before: the conflict, when the first payment differs in customer,
    /// currency, amount, date or references (an exact repeat changes nothing). Rare, so read directly.
    private mutating func conflictingPayment(_ payment: PaymentReceived, event: SourcedEvent) throws -> EventRejection? {
        var differences: [String] = []
        var storedEventKey: String?
        let references = JSONValue.stringArrayJSON(payment.references)
        try query(Self.selectStoredPayment.sql, [.text(payment.paymentID)]) { row in
            storedEventKey = row.optionalText(5)
            let customer = row.text(0)
            let currency = row.text(1)
            let amount = row.integer(2)
            let date = row.text(3)
            if customer != payment.customerID { differences.append("customer \(customer) → \(payment.customerID)") }
            if currency != payment.amount.currency.code || amount != payment.amount.minorUnits {
                let before = (try? Money(minorUnits: amount, currency: Currency(code: currency))).map { "\($0.amountString) \(currency)" } ?? "\(amount) minor units \(currency)"
                differences.append("amount \(before) → \(payment.amount.amountString) \(payment.amount.currency.code)")
            }
            if date != payment.receivedDate.description { differences.append("received_date \(date) → \(payment.receivedDate)") }
            if row.text(4) != references { differences.append("references \(row.text(4)) → \(references)") }
        }
        guard !differences.isEmpty else { return nil }
        return .conflictingDuplicate(
            "payment \(payment.paymentID)", storedEventKey: storedEventKey, eventKey: event.envelope.eventKey,
            difference: differences.joined(separator: "; "))
    }

    /// The payments allocated to an invoice, in order.
    private mutating func payments(of number: String) throws -> [String] {
        if let issuedNow = overlay.paymentsOfIssued[number] ?? inherited?.overlay.paymentsOfIssued[number] { return issuedNow }
        var paymentIDs: [String] = []
        try query("SELECT payment_id FROM payment_allocation WHERE invoice_number = ? ORDER BY id", [.text(number)]) { paymentIDs.append($0.text(0)) }
        return paymentIDs
    }
}

extension BatchWriter {
    static let insertPayment = PipelineStatement(
        """
        INSERT INTO payment (payment_id, customer_id, currency, amount_minor, unapplied_minor, received_date, references_json, created_at, event_key)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        """)

    static let selectStoredPayment = PipelineStatement(
        "SELECT customer_id, currency, amount_minor, received_date, references_json, event_key FROM payment WHERE payment_id = ?")

    static let insertAllocation = PipelineStatement(
        "INSERT INTO payment_allocation (payment_id, invoice_number, amount_minor, created_at) VALUES (?, ?, ?, ?)")

    static let updateInvoicePaid = PipelineStatement(
        "UPDATE invoice SET paid_minor = ?, status = ?, updated_at = ? WHERE number = ? AND paid_minor = ?")
}
