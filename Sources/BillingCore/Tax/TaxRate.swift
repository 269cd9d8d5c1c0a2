/// A tax rate in percent with up to 4 decimals ("19", "7.5", "0").
public struct TaxRate: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The percentage, exact.
    public let percent: Decimal64

    /// The most decimals a rate may have.
    public static let maxScale = 4

    /// Makes a rate; between 0 and 100 percent.
    ///
    /// - Throws: `MoneyError.negative` below 0, `.tooPrecise` above 100 or with too many decimals.
    public init(percent: Decimal64) throws(MoneyError) {
        guard !percent.isNegative else { throw .negative(percent.description) }
        guard percent <= Decimal64(units: 100, scale: 0) else { throw .tooPrecise("\(percent)% is over 100%", maxDecimals: Self.maxScale) }
        self.percent = try percent.rescaled(to: Self.maxScale)
    }

    /// The tax on a taxable amount: amount × rate / 100, rounded once, half away from zero.
    ///
    /// - Throws: `MoneyError.overflow`.
    public func tax(on taxable: Money) throws(MoneyError) -> Money {
        let denominator = pow10(Self.maxScale) * 100
        let (product, overflow) = Int128(taxable.minorUnits).multipliedReportingOverflow(by: Int128(percent.units))
        guard !overflow else { throw .overflow }
        return Money(minorUnits: try Rounding.minorUnits(Rounding.divide(product, by: denominator)), currency: taxable.currency)
    }

    /// The rate as written in documents: no trailing zeros ("19", "7.5").
    public var description: String { ASCIIDigits.text { append(to: &$0) } }

    /// Appends `description` to `output`.
    func append(to output: inout [UInt8]) {
        Decimal64.append(units: Int128(percent.units), scale: percent.scale, trimTrailingZeros: true, to: &output)
    }

    public static func < (lhs: TaxRate, rhs: TaxRate) -> Bool { lhs.percent < rhs.percent }
}
