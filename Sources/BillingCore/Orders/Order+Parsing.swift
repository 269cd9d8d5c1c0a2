extension Order {
    /// Reads an order from the data of `order.placed` or `order.amended`, and checks it.
    ///
    /// - Parameter defaultPaymentTermDays: used when the event gives no payment terms.
    /// - Throws: `DataError` naming the first field that is missing, malformed or inconsistent.
    public init(data: JSONNode, defaultPaymentTermDays: Int) throws(DataError) {
        let reader = try DataReader(data)
        orderID = try reader.string("order_id")
        customerID = try reader.string("customer_id")
        currency = try reader.currency("currency")
        orderDate = try reader.date("order_date")
        if let terms = try reader.optionalObject("payment_terms") {
            let days = try terms.integer("net_days")
            guard (0...3650).contains(days) else { throw DataError(path: "payment_terms.net_days", problem: "must be between 0 and 3650") }
            paymentTermDays = days
        } else {
            paymentTermDays = defaultPaymentTermDays
        }
        buyerReference = try reader.optionalString("buyer_reference")
        purchaseOrder = try reader.optionalString("purchase_order")
        if let buyer = try reader.optionalObject("buyer") {
            var address: PostalAddress?
            if let a = try buyer.optionalObject("address") {
                address = PostalAddress(
                    line1: try a.optionalString("line1"), line2: try a.optionalString("line2"), city: try a.optionalString("city"),
                    postalCode: try a.optionalString("postal_code"), country: try a.optionalString("country"))
            }
            self.buyer = Party(name: try buyer.optionalString("name"), taxID: try buyer.optionalString("tax_id"), address: address)
        } else {
            buyer = Party()
        }
        var lines: [OrderLine] = []
        var seen = DistinctKeys()
        for line in try reader.objects("lines") {
            let parsed = try OrderLine(line, currency: currency)
            guard seen.insert(parsed.lineID) else {
                throw DataError(path: line.fieldPath("line_id"), problem: "'\(parsed.lineID)' appears twice")
            }
            lines.append(parsed)
        }
        self.lines = lines
    }
}

extension OrderLine {
    init(_ reader: DataReader, currency: Currency) throws(DataError) {
        lineID = try reader.string("line_id")
        sku = try reader.optionalString("sku")
        description = try reader.optionalString("description") ?? sku ?? lineID
        quantity = try reader.quantity("quantity")
        unit = try reader.optionalString("unit") ?? "C62"
        unitPrice = try reader.decimal("unit_price", maxScale: currency.exponent + Order.unitPriceExtraScale)
        guard !unitPrice.isNegative else { throw DataError(path: reader.fieldPath("unit_price"), problem: "must not be negative") }
        guard unitPrice <= Decimal64(units: Order.maximumUnitPriceMinorUnits, scale: currency.exponent) else {
            let maximum = Money(minorUnits: Order.maximumUnitPriceMinorUnits, currency: currency)
            throw DataError(
                path: reader.fieldPath("unit_price"),
                problem: "'\(unitPrice)' is more than the largest unit price billingd accepts, \(maximum.amountString) \(currency.code)")
        }
        let rate = try reader.decimal("tax_rate", maxScale: TaxRate.maxScale)
        do {
            taxRate = try TaxRate(percent: rate)
        } catch {
            throw DataError(path: reader.fieldPath("tax_rate"), problem: "must be a percentage from 0 to 100 with at most 4 decimals")
        }
        if let code = try reader.optionalString("tax_category") {
            guard let category = TaxCategory(rawValue: code) else {
                throw DataError(path: reader.fieldPath("tax_category"), problem: "'\(code)' is not one of \(TaxCategory.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            taxCategory = category
        } else {
            taxCategory = taxRate.percent.isZero ? .zeroRated : .standard
        }
        if !taxCategory.allowsPositiveRate && !taxRate.percent.isZero {
            throw DataError(path: reader.fieldPath("tax_rate"), problem: "must be 0 for tax category \(taxCategory.rawValue)")
        }
        if taxCategory == .standard && taxRate.percent.isZero {
            throw DataError(path: reader.fieldPath("tax_rate"), problem: "must be more than 0 for tax category S")
        }
        discountPercent = try reader.optionalDecimal("discount_percent", maxScale: 4)
        if let percent = discountPercent, percent.isNegative || percent > Decimal64(units: 100, scale: 0) {
            throw DataError(path: reader.fieldPath("discount_percent"), problem: "must be from 0 to 100")
        }
        discountAmount = try reader.optionalMoney("discount_amount", currency: currency)
        if let amount = discountAmount, amount.isNegative {
            throw DataError(path: reader.fieldPath("discount_amount"), problem: "must not be negative")
        }
        do {
            let full = try LinePricing.netAmount(self, invoicedQuantity: quantity, currency: currency)
            if full.isNegative { throw DataError(path: reader.fieldPath("discount_amount"), problem: "is more than the line's amount") }
            _ = try full.withinMaximum()
        } catch let error as DataError {
            throw error
        } catch {
            throw DataError(path: reader.fieldPath("quantity"), problem: "line amount is too large")
        }
    }
}
