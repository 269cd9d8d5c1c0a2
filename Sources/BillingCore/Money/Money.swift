/// An amount of money: integer minor units of one currency.
public struct Money: Hashable, Sendable, CustomStringConvertible, Comparable {
    /// The amount in the currency's minor unit (cents for EUR, yen for JPY, fils for KWD).
    public let minorUnits: Int64
    /// The currency.
    public let currency: Currency

    /// Makes an amount from minor units.
    public init(minorUnits: Int64, currency: Currency) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    /// Zero in a currency.
    public static func zero(_ currency: Currency) -> Money { Money(minorUnits: 0, currency: currency) }

    /// Parses a decimal string in a currency: `"12.30"` EUR is 1230 cents; `"12.345"` EUR is an error.
    ///
    /// - Throws: `MoneyError.notADecimal`, `.tooPrecise` (more decimals than the currency has), `.overflow`.
    public init(parsing text: String, currency: Currency) throws(MoneyError) {
        let decimal = try Decimal64(parsing: text, maxScale: currency.exponent)
        minorUnits = try decimal.rescaled(to: currency.exponent).units
        self.currency = currency
        try Money.checkMaximum(minorUnits, currency, shownAs: text)
    }

    /// The largest amount billingd accepts in any field or computes for any document, in minor units:
    /// 10^15 − 1 (9,999,999,999,999.99 EUR; 999,999,999,999,999 JPY; 999,999,999,999.999 KWD). It keeps
    /// sums of thousands of such amounts inside 64 bits; billingctl's larger sums are exact as well.
    public static let maximumMinorUnits: Int64 = 999_999_999_999_999

    /// `maximumMinorUnits` in a currency.
    public static func maximum(_ currency: Currency) -> Money { Money(minorUnits: maximumMinorUnits, currency: currency) }

    /// This amount, unless it is beyond `maximumMinorUnits` either way.
    ///
    /// - Throws: `MoneyError.tooLarge`.
    public func withinMaximum() throws(MoneyError) -> Money {
        try Money.checkMaximum(minorUnits, currency, shownAs: amountString)
        return self
    }

    /// Throws `MoneyError.tooLarge`, naming the amount as `text`, when `minorUnits` is beyond the maximum.
    private static func checkMaximum(_ minorUnits: Int64, _ currency: Currency, shownAs text: @autoclosure () -> String) throws(MoneyError) {
        guard minorUnits.magnitude <= maximumMinorUnits else {
            throw .tooLarge(text(), maximum: "\(maximum(currency).amountString) \(currency.code)")
        }
    }

    /// The decimal string with exactly the currency's decimals, e.g. `"12.30"`, `"1500"` (JPY).
    public var amountString: String { ASCIIDigits.text { appendAmount(to: &$0) } }

    /// Appends `amountString` to `output`.
    func appendAmount(to output: inout [UInt8]) {
        Decimal64.append(units: Int128(minorUnits), scale: currency.exponent, to: &output)
    }

    public var description: String { "\(amountString) \(currency.code)" }

    public var isZero: Bool { minorUnits == 0 }
    public var isNegative: Bool { minorUnits < 0 }

    /// The sum.
    ///
    /// - Throws: `MoneyError.currencyMismatch` or `.overflow`.
    public func adding(_ other: Money) throws(MoneyError) -> Money {
        guard currency == other.currency else { throw .currencyMismatch(currency.code, other.currency.code) }
        let (sum, overflow) = minorUnits.addingReportingOverflow(other.minorUnits)
        guard !overflow else { throw .overflow }
        return Money(minorUnits: sum, currency: currency)
    }

    /// The difference.
    ///
    /// - Throws: `MoneyError.currencyMismatch` or `.overflow`.
    public func subtracting(_ other: Money) throws(MoneyError) -> Money {
        guard currency == other.currency else { throw .currencyMismatch(currency.code, other.currency.code) }
        let (difference, overflow) = minorUnits.subtractingReportingOverflow(other.minorUnits)
        guard !overflow else { throw .overflow }
        return Money(minorUnits: difference, currency: currency)
    }

    /// The smaller of two amounts of the same currency.
    public static func min(_ a: Money, _ b: Money) -> Money { a.minorUnits <= b.minorUnits ? a : b }

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.minorUnits < rhs.minorUnits }

    /// Sums amounts of one currency.
    ///
    /// - Throws: `MoneyError.currencyMismatch` or `.overflow`.
    public static func sum(_ amounts: some Sequence<Money>, currency: Currency) throws(MoneyError) -> Money {
        var total = Money.zero(currency)
        for amount in amounts { total = try total.adding(amount) }
        return total
    }
}
