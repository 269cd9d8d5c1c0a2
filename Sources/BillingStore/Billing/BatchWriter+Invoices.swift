import BillingCore
import Foundation
import GRDB

extension BatchWriter {
    mutating func handleFulfilled(_ event: SourcedEvent) throws {
        guard let fulfilment = try read(event, as: { $0.fulfilment }) else { return }
        let invoicedFor = try invoicedOrder(shipmentID: fulfilment.shipmentID)
        let decision = OrderDecisions.fulfil(fulfilment, existing: try loadOrder(fulfilment.orderID), shipmentOrderID: invoicedFor, context: context, today: today)
        switch decision {
        case .invoice(let draft, let record):
            let number = try nextInvoiceNumber(issueDate: draft.issueDate)
            let invoice = Invoice(number: number.text, draft: draft)
            let document = InvoiceDocument.jsonBytes(invoice)
            // The order's new state first: an order placed in this batch is then written already invoiced,
            // before the invoice that refers to it.
            updateOrder(record)
            insertInvoice(invoice, number: number, document: document, eventKey: event.envelope.eventKey, fingerprint: fulfilment.fingerprint)
            publish(
                type: .invoiceIssued, subject: invoice.number, customerID: draft.customerID, dataJSON: document,
                documentNumber: invoice.number)
            try audit(
                entity: "invoice", id: invoice.number, action: "issued",
                detail: [
                    "currency": draft.currency.code, "gross": draft.grossTotal.amountString, "order_id": draft.orderID,
                    "shipment_id": draft.shipmentID,
                ], event: event)
            outcome.invoicesIssued += 1
            outcome.invoiceNumbers.append(invoice.number)
        case .alreadyInvoiced:
            // The same shipment again: an exact repeat changes nothing; other content waits for a person.
            var stored: (fingerprint: String?, eventKey: String?, number: String?)?
            try query(Self.selectShipmentInvoice.sql, [.text(fulfilment.shipmentID)]) { stored = ($0.optionalText(0), $0.optionalText(1), $0.text(2)) }
            if let stored, let fingerprint = stored.fingerprint, fingerprint != fulfilment.fingerprint {
                return try reject(
                    event,
                    .conflictingDuplicate(
                        "shipment \(fulfilment.shipmentID) (invoice \(stored.number ?? "?"))", storedEventKey: stored.eventKey,
                        eventKey: event.envelope.eventKey, difference: "was \(fingerprint), now \(fulfilment.fingerprint)"))
            }
            outcome.duplicatesSkipped += 1
        case .waitForOrder:
            try wait(event, orderID: fulfilment.orderID)
        case .reject(let rejection):
            try reject(event, rejection)
        }
    }

    /// The order a shipment was invoiced for, if it was.
    private mutating func invoicedOrder(shipmentID: String) throws -> String? {
        if let orderID = overlay.invoicedShipments[shipmentID] ?? inherited?.overlay.invoicedShipments[shipmentID] { return orderID }
        if start.checkedShipments.contains(shipmentID) { return start.invoicedShipments[shipmentID] }
        var orderID: String?
        try query(Self.selectShipmentOrder.sql, [.text(shipmentID)]) { orderID = $0.text(0) }
        return orderID
    }

    /// An invoice number and where it comes from.
    struct IssuedNumber {
        let series: String
        let sequence: Int64
        let text: String
    }

    /// Takes the next number of the issue date's series. The series' counter is read once per batch and
    /// written back once by `writeSequences`, all in the batch's transaction: if the batch rolls back, so
    /// do its numbers, and none is published before the commit.
    mutating func nextInvoiceNumber(issueDate: BusinessDate) throws -> IssuedNumber {
        let series = context.numbering.series(for: issueDate)
        let last: Int64
        if let taken = lastSequences[series] {
            last = taken
        } else {
            try settle()
            if !index.hasSeries(series) && !createdSeries.contains(series) && inherited?.createdSeries.contains(series) != true {
                try statement("INSERT INTO invoice_series (series, last_sequence) VALUES (?, 0) ON CONFLICT (series) DO NOTHING").execute(arguments: [series])
                createdSeries.insert(series)
            }
            guard let stored = try Int64.fetchOne(try statement("SELECT last_sequence FROM invoice_series WHERE series = ?"), arguments: [series]) else {
                throw DatabaseError(resultCode: .SQLITE_ERROR, message: "invoice series \(series) vanished")
            }
            last = stored
        }
        let sequence = last + 1
        lastSequences[series] = sequence
        return IssuedNumber(series: series, sequence: sequence, text: context.numbering.number(series: series, sequence: sequence))
    }

    /// Stores the last number this batch took in each series.
    mutating func writeSequences() {
        for (series, last) in lastSequences.sorted(by: { $0.key < $1.key }) {
            write(Self.updateSeries, expecting: .init(changes: 1, subject: "invoice series", key: series, problem: "vanished")) {
                $0.integer(last)
                $0.text(series)
            }
        }
    }

    mutating func insertInvoice(_ invoice: Invoice, number: IssuedNumber, document: [UInt8], eventKey: String, fingerprint: String) {
        let draft = invoice.draft
        let series = number.series
        let sequence = number.sequence
        let at = self.at
        // The order the invoice refers to, if this batch placed it and has not written it yet.
        writeNewOrder(draft.orderID)
        write(Self.insertInvoice) {
            $0.text(invoice.number)
            $0.text(series)
            $0.integer(sequence)
            $0.text(draft.customerID)
            $0.text(draft.orderID)
            $0.text(draft.shipmentID)
            $0.text(draft.currency.code)
            $0.text(draft.issueDate.description)
            $0.text(draft.dueDate.description)
            $0.integer(draft.netTotal.minorUnits)
            $0.integer(draft.taxTotal.minorUnits)
            $0.integer(draft.grossTotal.minorUnits)
            $0.text(draft.grossTotal.isZero ? "paid" : "issued")
            $0.text(at)
            $0.text(at)
            $0.text(eventKey)
            $0.text(fingerprint)
        }
        write(Self.insertDocument) {
            $0.text(invoice.number)
            $0.text(utf8: document)
        }
        overlay.invoicedShipments[draft.shipmentID] = draft.orderID
        overlay.invoices[invoice.number] = OpenInvoice(
            number: invoice.number, orderID: draft.orderID, customerID: draft.customerID, grossTotal: draft.grossTotal, paid: .zero(draft.currency))
        overlay.issuedByOrder[draft.orderID, default: []].append(invoice.number)
        overlay.paymentsOfIssued[invoice.number] = []
    }
}

extension BatchWriter {
    static let updateSeries = PipelineStatement("UPDATE invoice_series SET last_sequence = ? WHERE series = ?")

    static let insertInvoice = PipelineStatement(
        """
        INSERT INTO invoice (number, series, sequence, customer_id, order_id, shipment_id, currency, issue_date, due_date,
            net_minor, tax_minor, gross_minor, paid_minor, status, created_at, updated_at, event_key, shipment_fingerprint)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)
        """)

    static let selectShipmentInvoice = PipelineStatement("SELECT shipment_fingerprint, event_key, number FROM invoice WHERE shipment_id = ?")

    static let insertDocument = PipelineStatement("INSERT INTO invoice_document (number, document) VALUES (?, ?)")
}
