/// Writes one JSON object straight to bytes, for documents written on every event. The caller adds
/// members in sorted key order, so the output equals `JSONValue.jsonBytes` of the same object (a unit
/// test holds each document to that).
struct JSONObjectWriter {
    private(set) var bytes: [UInt8]
    private var empty = true

    init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
        bytes.append(UInt8(ascii: "{"))
    }

    private mutating func key(_ name: String) {
        if !empty { bytes.append(UInt8(ascii: ",")) }
        empty = false
        JSONValue.writeString(name, into: &bytes)
        bytes.append(UInt8(ascii: ":"))
    }

    mutating func string(_ name: String, _ value: String) {
        key(name)
        JSONValue.writeString(value, into: &bytes)
    }

    mutating func string(_ name: String, _ value: String?) {
        guard let value else { return }
        string(name, value)
    }

    mutating func number(_ name: String, _ value: Int) {
        key(name)
        bytes.append(contentsOf: String(value).utf8)
    }

    /// A member whose value is already JSON.
    mutating func raw(_ name: String, _ json: [UInt8]) {
        key(name)
        bytes.append(contentsOf: json)
    }

    mutating func array(_ name: String, _ items: [[UInt8]]) {
        key(name)
        bytes.append(UInt8(ascii: "["))
        for (index, item) in items.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: item)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// An array of strings.
    mutating func strings(_ name: String, _ items: [String]) {
        key(name)
        JSONValue.writeStringArray(items, into: &bytes)
    }

    /// The finished object.
    mutating func finish() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }
}

extension PostalAddress {
    var jsonBytes: [UInt8] {
        var writer = JSONObjectWriter(capacity: 96)
        writer.string("city", city)
        writer.string("country", country)
        writer.string("line1", line1)
        writer.string("line2", line2)
        writer.string("postal_code", postalCode)
        return writer.finish()
    }
}

extension Party {
    var jsonBytes: [UInt8] {
        var writer = JSONObjectWriter(capacity: 128)
        if let address { writer.raw("address", address.jsonBytes) }
        writer.string("name", name)
        writer.string("tax_id", taxID)
        return writer.finish()
    }
}

extension InvoiceDocument {
    /// The document as compact JSON with sorted keys: byte for byte `json.jsonBytes`, written directly.
    public var jsonBytes: [UInt8] {
        var writer = JSONObjectWriter(capacity: 1536)
        writer.raw("buyer", buyer.jsonBytes)
        writer.string("buyer_reference", buyerReference)
        writer.string("currency", currency)
        writer.string("customer_id", customerID)
        writer.string("due_date", dueDate)
        writer.string("invoice_number", invoiceNumber)
        writer.string("issue_date", issueDate)
        writer.array("lines", lines.map { line in
            var item = JSONObjectWriter(capacity: 256)
            item.string("description", line.description)
            item.string("discount_amount", line.discountAmount)
            item.string("discount_percent", line.discountPercent)
            item.string("line_id", line.lineID)
            item.string("net_amount", line.netAmount)
            item.string("quantity", line.quantity)
            item.string("sku", line.sku)
            item.string("tax_category", line.taxCategory)
            item.string("tax_rate", line.taxRate)
            item.string("unit", line.unit)
            item.string("unit_price", line.unitPrice)
            return item.finish()
        })
        writer.string("order_id", orderID)
        var terms = JSONObjectWriter(capacity: 24)
        terms.number("net_days", paymentTerms.netDays)
        writer.raw("payment_terms", terms.finish())
        writer.string("purchase_order", purchaseOrder)
        writer.raw("seller", seller.jsonBytes)
        writer.string("ship_date", shipDate)
        writer.string("shipment_id", shipmentID)
        writer.array("tax_breakdown", taxBreakdown.map { tax in
            var item = JSONObjectWriter(capacity: 128)
            item.string("tax_amount", tax.taxAmount)
            item.string("tax_category", tax.taxCategory)
            item.string("tax_rate", tax.taxRate)
            item.string("taxable_amount", tax.taxableAmount)
            return item.finish()
        })
        var sums = JSONObjectWriter(capacity: 96)
        sums.string("due", totals.due)
        sums.string("gross", totals.gross)
        sums.string("net", totals.net)
        sums.string("tax", totals.tax)
        writer.raw("totals", sums.finish())
        return writer.finish()
    }
}

extension PaymentAppliedDocument {
    /// The document as compact JSON with sorted keys: byte for byte `json.jsonBytes`, written directly.
    public var jsonBytes: [UInt8] {
        var writer = JSONObjectWriter(capacity: 256 + 160 * allocations.count)
        writer.array("allocations", allocations.map { allocation in
            var item = JSONObjectWriter(capacity: 160)
            item.string("amount", allocation.amount)
            item.string("invoice_number", allocation.invoiceNumber)
            item.string("invoice_open_amount", allocation.invoiceOpenAmount)
            item.string("invoice_status", allocation.invoiceStatus)
            return item.finish()
        })
        writer.string("amount", amount)
        writer.string("currency", currency)
        writer.string("customer_id", customerID)
        writer.string("payment_id", paymentID)
        writer.string("received_date", receivedDate)
        writer.string("unapplied_amount", unappliedAmount)
        return writer.finish()
    }
}

extension InvoicePaidDocument {
    /// The document as compact JSON with sorted keys: byte for byte `json.jsonBytes`, written directly.
    public var jsonBytes: [UInt8] {
        var writer = JSONObjectWriter(capacity: 256)
        writer.string("currency", currency)
        writer.string("customer_id", customerID)
        writer.string("gross_total", grossTotal)
        writer.string("invoice_number", invoiceNumber)
        writer.string("paid_date", paidDate)
        writer.strings("payment_ids", paymentIDs)
        return writer.finish()
    }
}

extension OutboundEnvelope {
    /// The envelope around data that is already JSON (written once, stored and published as is).
    public static func encoded(id: String, source: String, type: String, subject: String, time: String, dataJSON: [UInt8]) -> [UInt8] {
        var writer = JSONObjectWriter(capacity: dataJSON.count + 256)
        writer.raw("data", dataJSON)
        writer.string("datacontenttype", "application/json")
        writer.string("id", id)
        writer.string("source", source)
        writer.string("specversion", "1.0")
        writer.string("subject", subject)
        writer.string("time", time)
        writer.string("type", type)
        return writer.finish()
    }
}
