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

    /// A member whose value is an object written by `body` into the same buffer.
    mutating func object(_ name: String, _ body: (inout JSONObjectWriter) -> Void) {
        key(name)
        var nested = JSONObjectWriter(continuing: &bytes)
        body(&nested)
        nested.bytes.append(UInt8(ascii: "}"))
        swap(&bytes, &nested.bytes)
    }

    /// A member whose value is an array of objects, each written by `body` into the same buffer.
    mutating func objects<Items: Sequence>(_ name: String, _ items: Items, _ body: (inout JSONObjectWriter, Items.Element) -> Void) {
        key(name)
        bytes.append(UInt8(ascii: "["))
        var first = true
        for item in items {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            var nested = JSONObjectWriter(continuing: &bytes)
            body(&nested, item)
            nested.bytes.append(UInt8(ascii: "}"))
            swap(&bytes, &nested.bytes)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// Starts a nested object at the end of `output`, taking its storage (given back by the caller).
    private init(continuing output: inout [UInt8]) {
        bytes = []
        swap(&bytes, &output)
        bytes.append(UInt8(ascii: "{"))
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
    func write(into writer: inout JSONObjectWriter) {
        writer.string("city", city)
        writer.string("country", country)
        writer.string("line1", line1)
        writer.string("line2", line2)
        writer.string("postal_code", postalCode)
    }
}

extension Party {
    func write(into writer: inout JSONObjectWriter) {
        if let address { writer.object("address") { address.write(into: &$0) } }
        writer.string("name", name)
        writer.string("tax_id", taxID)
    }
}

extension InvoiceDocument {
    /// The document of an issued invoice as compact JSON with sorted keys, written straight from the
    /// invoice into one buffer: byte for byte `InvoiceDocument(invoice).json.jsonBytes`.
    public static func jsonBytes(_ invoice: Invoice) -> [UInt8] {
        let draft = invoice.draft
        var writer = JSONObjectWriter(capacity: 1024 + 320 * draft.lines.count)
        writer.object("buyer") { draft.buyer.write(into: &$0) }
        writer.string("buyer_reference", draft.buyerReference)
        writer.string("currency", draft.currency.code)
        writer.string("customer_id", draft.customerID)
        writer.string("due_date", draft.dueDate.description)
        writer.string("invoice_number", invoice.number)
        writer.string("issue_date", draft.issueDate.description)
        writer.objects("lines", draft.lines) { item, line in
            let orderLine = line.orderLine
            item.string("description", orderLine.description)
            item.string("discount_amount", orderLine.discountAmount?.amountString)
            item.string("discount_percent", orderLine.discountPercent?.description)
            item.string("line_id", orderLine.lineID)
            item.string("net_amount", line.netAmount.amountString)
            item.string("quantity", line.quantity.description)
            item.string("sku", orderLine.sku)
            item.string("tax_category", orderLine.taxCategory.rawValue)
            item.string("tax_rate", orderLine.taxRate.description)
            item.string("unit", orderLine.unit)
            item.string("unit_price", orderLine.unitPrice.description)
        }
        writer.string("order_id", draft.orderID)
        writer.object("payment_terms") { $0.number("net_days", draft.paymentTermDays) }
        writer.string("purchase_order", draft.purchaseOrder)
        writer.object("seller") { draft.seller.write(into: &$0) }
        writer.string("ship_date", draft.shipDate.description)
        writer.string("shipment_id", draft.shipmentID)
        writer.objects("tax_breakdown", draft.taxSubtotals) { item, tax in
            item.string("tax_amount", tax.taxAmount.amountString)
            item.string("tax_category", tax.category.rawValue)
            item.string("tax_rate", tax.rate.description)
            item.string("taxable_amount", tax.taxableAmount.amountString)
        }
        let gross = draft.grossTotal.amountString
        writer.object("totals") { sums in
            sums.string("due", gross)
            sums.string("gross", gross)
            sums.string("net", draft.netTotal.amountString)
            sums.string("tax", draft.taxTotal.amountString)
        }
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
    /// How every encoded envelope begins: its data comes first (keys are sorted), right after this.
    public static let dataPrefix = Array(#"{"data":"#.utf8)

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
