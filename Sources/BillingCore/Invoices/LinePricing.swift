/// The net amount of an order line for a quantity, by the one rounding rule.
///
/// The amount for the quantity invoiced *so far* is computed exactly and rounded once:
/// `round(q × unit_price × (1 − discount% / 100) − discount_amount × q / ordered)`. A shipment's
/// line amount is the difference between that figure after and before the shipment, so partial
/// invoices of a line always add up to exactly the amount of the whole line — no cent is lost or
/// gained however the order is split.
public enum LinePricing {
    /// The net amount for `invoicedQuantity` of the line, rounded half away from zero.
    ///
    /// - Throws: `MoneyError.overflow` when an intermediate does not fit 128 bits or the result 64.
    public static func netAmount(_ line: OrderLine, invoicedQuantity: Decimal64, currency: Currency) throws(MoneyError) -> Money {
        // Bring quantities to one scale, so q/ordered is a ratio of integers.
        let qScale = Order.quantityScale
        let q = Int128(try invoicedQuantity.rescaled(to: qScale).units)
        let ordered = Int128(try line.quantity.rescaled(to: qScale).units)
        let priceScale = currency.exponent + Order.unitPriceExtraScale
        let price = Int128(try line.unitPrice.rescaled(to: priceScale).units)
        let percentScale = 4
        let keep = 100 * pow10(percentScale) - Int128(try (line.discountPercent ?? Decimal64(units: 0, scale: 0)).rescaled(to: percentScale).units)
        // gross part in minor units = q × price × keep / (10^qScale × 10^extra × 100 × 10^percentScale)
        let grossDenominator = pow10(qScale) * pow10(Order.unitPriceExtraScale) * 100 * pow10(percentScale)
        let grossNumerator = try multiply(try multiply(q, price), keep)
        guard let discount = line.discountAmount, !discount.isZero else {
            return Money(minorUnits: try Rounding.minorUnits(Rounding.divide(grossNumerator, by: grossDenominator)), currency: currency)
        }
        // discount part in minor units = discount × q / ordered; combine over a common denominator.
        let numerator = try subtract(try multiply(grossNumerator, ordered), try multiply(try multiply(Int128(discount.minorUnits), q), grossDenominator))
        let denominator = try multiply(grossDenominator, ordered)
        return Money(minorUnits: try Rounding.minorUnits(Rounding.divide(numerator, by: denominator)), currency: currency)
    }

    private static func multiply(_ a: Int128, _ b: Int128) throws(MoneyError) -> Int128 {
        let (result, overflow) = a.multipliedReportingOverflow(by: b)
        guard !overflow else { throw .overflow }
        return result
    }

    private static func subtract(_ a: Int128, _ b: Int128) throws(MoneyError) -> Int128 {
        let (result, overflow) = a.subtractingReportingOverflow(b)
        guard !overflow else { throw .overflow }
        return result
    }
}
