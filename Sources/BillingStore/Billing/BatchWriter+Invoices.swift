import BillingCore
import Foundation
import GRDB

extension BatchWriter {
    mutating func handleFulfilled(_ event: SourcedEvent) throws {
        guard let fulfilment = try read(event, as: \.fulfilment) else { return }
        let invoicedFor = try String.fetchOne(try statement("SELECT order_id FROM invoice WHERE shipment_id = ?"), arguments: [fulfilment.shipmentID])
        let decision = OrderDecisions.fulfil(fulfilment, existing: try loadOrder(fulfilment.orderID), shipmentOrderID: invoicedFor, context: context, today: today)
        switch decision {
        case .invoice(let draft, let record):
            let invoice = Invoice(number: try nextInvoiceNumber(issueDate: draft.issueDate), draft: draft)
            let document = InvoiceDocument(invoice).jsonBytes
            try insertInvoice(invoice, document: document)
            try updateOrder(record)
            publish(type: .invoiceIssued, id: invoice.number, subject: invoice.number, customerID: draft.customerID, dataJSON: document)
            try audit(
                entity: "invoice", id: invoice.number, action: "issued",
                detail: [
                    "order_id": draft.orderID, "shipment_id": draft.shipmentID, "gross": draft.grossTotal.amountString,
                    "currency": draft.currency.code,
                ], event: event)
            outcome.invoicesIssued += 1
            outcome.invoiceNumbers.append(invoice.number)
        case .alreadyInvoiced:
            outcome.duplicatesSkipped += 1
        case .waitForOrder:
            try wait(event, orderID: fulfilment.orderID)
        case .reject(let rejection):
            try reject(event, rejection)
        }
    }

    /// Takes the next number of the issue date's series. Runs in the batch's transaction: if the batch
    /// rolls back, so does the number, and it is never published before the commit.
    mutating func nextInvoiceNumber(issueDate: BusinessDate) throws -> String {
        let series = context.numbering.series(for: issueDate)
        if !index.hasSeries(series) && !createdSeries.contains(series) {
            try statement("INSERT INTO invoice_series (series, last_sequence) VALUES (?, 0) ON CONFLICT (series) DO NOTHING").execute(arguments: [series])
            createdSeries.insert(series)
        }
        guard let sequence = try Int64.fetchOne(
            try statement("UPDATE invoice_series SET last_sequence = last_sequence + 1 WHERE series = ? RETURNING last_sequence"), arguments: [series])
        else { throw DatabaseError(resultCode: .SQLITE_ERROR, message: "invoice series \(series) vanished") }
        return context.numbering.number(series: series, sequence: sequence)
    }

    func insertInvoice(_ invoice: Invoice, document: [UInt8]) throws {
        let draft = invoice.draft
        let series = context.numbering.series(for: draft.issueDate)
        let sequence = Int64(invoice.number.split(separator: "-").last ?? "") ?? 0
        try statement("""
                INSERT INTO invoice (number, series, sequence, customer_id, order_id, shipment_id, currency, issue_date, due_date,
                    net_minor, tax_minor, gross_minor, paid_minor, status, document, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)
                """).execute(
            arguments: [
                invoice.number, series, sequence, draft.customerID, draft.orderID, draft.shipmentID, draft.currency.code,
                draft.issueDate.description, draft.dueDate.description, draft.netTotal.minorUnits, draft.taxTotal.minorUnits,
                draft.grossTotal.minorUnits, draft.grossTotal.isZero ? "paid" : "issued", String(decoding: document, as: UTF8.self), at, at,
            ])
    }
}
