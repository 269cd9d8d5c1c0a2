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

    /// Member names are literals of plain ASCII (letters, digits, `_`): copied as they are, no escaping.
    private mutating func key(_ name: StaticString) {
        assert(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount).allSatisfy {
            $0 == UInt8(ascii: "_") || (0x30...0x39).contains($0) || (0x61...0x7A).contains($0)
        }, "a plain member name")
        if !empty { bytes.append(UInt8(ascii: ",")) }
        empty = false
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
    }

    mutating func string(_ name: StaticString, _ value: String) {
        key(name)
        JSONValue.writeString(value, into: &bytes)
    }

    mutating func string(_ name: StaticString, _ value: String?) {
        guard let value else { return }
        string(name, value)
    }

    mutating func number(_ name: StaticString, _ value: Int) {
        key(name)
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        ASCIIDigits.append(value.magnitude, to: &bytes)
    }

    /// A JSON string whose text is written by `body` and needs no escaping (digits, `-`, `.`).
    private mutating func plainString(_ name: StaticString, _ body: (inout [UInt8]) -> Void) {
        key(name)
        bytes.append(UInt8(ascii: "\""))
        body(&bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// An amount as its decimal string (`Money.amountString`).
    mutating func amount(_ name: StaticString, _ value: Money?) {
        guard let value else { return }
        plainString(name) { value.appendAmount(to: &$0) }
    }

    /// A decimal as its string (`Decimal64.description`).
    mutating func decimal(_ name: StaticString, _ value: Decimal64?) {
        guard let value else { return }
        plainString(name) { value.append(to: &$0) }
    }

    /// A tax rate as its string (`TaxRate.description`).
    mutating func rate(_ name: StaticString, _ value: TaxRate) {
        plainString(name) { value.append(to: &$0) }
    }

    /// A date as YYYY-MM-DD.
    mutating func date(_ name: StaticString, _ value: BusinessDate) {
        plainString(name) { value.append(to: &$0) }
    }

    /// A member whose value is an object written by `body` into the same buffer.
    mutating func object(_ name: StaticString, _ body: (inout JSONObjectWriter) -> Void) {
        key(name)
        var nested = JSONObjectWriter(continuing: &bytes)
        body(&nested)
        nested.bytes.append(UInt8(ascii: "}"))
        swap(&bytes, &nested.bytes)
    }

    /// A member whose value is an array of objects, each written by `body` into the same buffer.
    mutating func objects<Items: Sequence>(_ name: StaticString, _ items: Items, _ body: (inout JSONObjectWriter, Items.Element) -> Void) {
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
    mutating func raw(_ name: StaticString, _ json: [UInt8]) {
        key(name)
        bytes.append(contentsOf: json)
    }

    mutating func array(_ name: StaticString, _ items: [[UInt8]]) {
        key(name)
        bytes.append(UInt8(ascii: "["))
        for (index, item) in items.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: item)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// An array of strings.
    mutating func strings(_ name: StaticString, _ items: [String]) {
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
        writer.date("due_date", draft.dueDate)
        writer.string("invoice_number", invoice.number)
        writer.date("issue_date", draft.issueDate)
        writer.objects("lines", draft.lines) { item, line in
            let orderLine = line.orderLine
            item.string("description", orderLine.description)
            item.amount("discount_amount", orderLine.discountAmount)
            item.decimal("discount_percent", orderLine.discountPercent)
            item.string("line_id", orderLine.lineID)
            item.amount("net_amount", line.netAmount)
            item.decimal("quantity", line.quantity)
            item.string("sku", orderLine.sku)
            item.string("tax_category", orderLine.taxCategory.rawValue)
            item.rate("tax_rate", orderLine.taxRate)
            item.string("unit", orderLine.unit)
            item.decimal("unit_price", orderLine.unitPrice)
        }
        writer.string("order_id", draft.orderID)
        writer.object("payment_terms") { $0.number("net_days", draft.paymentTermDays) }
        writer.string("purchase_order", draft.purchaseOrder)
        writer.object("seller") { draft.seller.write(into: &$0) }
        writer.date("ship_date", draft.shipDate)
        writer.string("shipment_id", draft.shipmentID)
        writer.objects("tax_breakdown", draft.taxSubtotals) { item, tax in
            item.amount("tax_amount", tax.taxAmount)
            item.string("tax_category", tax.category.rawValue)
            item.rate("tax_rate", tax.rate)
            item.amount("taxable_amount", tax.taxableAmount)
        }
        writer.object("totals") { sums in
            sums.amount("due", draft.grossTotal)
            sums.amount("gross", draft.grossTotal)
            sums.amount("net", draft.netTotal)
            sums.amount("tax", draft.taxTotal)
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
    /// The envelope around data that is already JSON (written once, stored and published as is). The
    /// store's view `outbox_message` writes the same bytes from an outbox row's fields: keep the two alike.
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
