extension PostalAddress {
    var json: JSONValue {
        .object([("line1", .optional(line1)), ("line2", .optional(line2)), ("city", .optional(city)), ("postal_code", .optional(postalCode)), ("country", .optional(country))])
    }
}

extension Party {
    var json: JSONValue {
        .object([("name", .optional(name)), ("tax_id", .optional(taxID)), ("address", address?.json)])
    }
}

extension InvoiceDocument {
    /// The document as JSON (the same keys its `Codable` form reads back).
    public var json: JSONValue {
        .object([
            ("invoice_number", .string(invoiceNumber)), ("issue_date", .string(issueDate)), ("due_date", .string(dueDate)),
            ("currency", .string(currency)), ("customer_id", .string(customerID)), ("order_id", .string(orderID)),
            ("shipment_id", .string(shipmentID)), ("ship_date", .string(shipDate)),
            ("payment_terms", .object(["net_days": .number(String(paymentTerms.netDays))])),
            ("buyer_reference", .optional(buyerReference)), ("purchase_order", .optional(purchaseOrder)),
            ("seller", seller.json), ("buyer", buyer.json),
            ("lines", .array(lines.map { line in
                .object([
                    ("line_id", .string(line.lineID)), ("sku", .optional(line.sku)), ("description", .string(line.description)),
                    ("quantity", .string(line.quantity)), ("unit", .string(line.unit)), ("unit_price", .string(line.unitPrice)),
                    ("discount_percent", .optional(line.discountPercent)), ("discount_amount", .optional(line.discountAmount)),
                    ("net_amount", .string(line.netAmount)), ("tax_category", .string(line.taxCategory)), ("tax_rate", .string(line.taxRate)),
                ])
            })),
            ("tax_breakdown", .array(taxBreakdown.map { tax in
                .object([
                    ("tax_category", .string(tax.taxCategory)), ("tax_rate", .string(tax.taxRate)),
                    ("taxable_amount", .string(tax.taxableAmount)), ("tax_amount", .string(tax.taxAmount)),
                ])
            })),
            ("totals", .object(["net": .string(totals.net), "tax": .string(totals.tax), "gross": .string(totals.gross), "due": .string(totals.due)])),
        ])
    }
}

extension PaymentAppliedDocument {
    /// The document as JSON.
    public var json: JSONValue {
        .object([
            ("payment_id", .string(paymentID)), ("customer_id", .string(customerID)), ("currency", .string(currency)),
            ("amount", .string(amount)), ("received_date", .string(receivedDate)), ("unapplied_amount", .string(unappliedAmount)),
            ("allocations", .array(allocations.map { allocation in
                .object([
                    ("invoice_number", .string(allocation.invoiceNumber)), ("amount", .string(allocation.amount)),
                    ("invoice_open_amount", .string(allocation.invoiceOpenAmount)), ("invoice_status", .string(allocation.invoiceStatus)),
                ])
            })),
        ])
    }
}

extension InvoicePaidDocument {
    /// The document as JSON.
    public var json: JSONValue {
        .object([
            ("invoice_number", .string(invoiceNumber)), ("customer_id", .string(customerID)), ("currency", .string(currency)),
            ("gross_total", .string(grossTotal)), ("paid_date", .string(paidDate)), ("payment_ids", .array(paymentIDs.map(JSONValue.string))),
        ])
    }
}
