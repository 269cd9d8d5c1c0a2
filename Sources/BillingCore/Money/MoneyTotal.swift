/// A sum of stored amounts of one currency, exact however many there are: minor units in 128 bits.
/// Reports add up amounts that are each within `Money.maximumMinorUnits`; their totals may not be.
public struct MoneyTotal: Hashable, Sendable, CustomStringConvertible {
    /// The total in the currency's minor unit.
    public let minorUnits: Int128
    /// The currency.
    public let currency: Currency

    /// Makes a total.
    public init(minorUnits: Int128, currency: Currency) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    /// The decimal string with exactly the currency's decimals.
    public var amountString: String {
        ASCIIDigits.text { Decimal64.append(units: minorUnits, scale: currency.exponent, to: &$0) }
    }

    public var description: String { "\(amountString) \(currency.code)" }

    /// The difference of two totals of one currency.
    public static func - (lhs: MoneyTotal, rhs: MoneyTotal) -> MoneyTotal {
        precondition(lhs.currency == rhs.currency, "totals of one currency")
        return MoneyTotal(minorUnits: lhs.minorUnits - rhs.minorUnits, currency: lhs.currency)
    }
}
