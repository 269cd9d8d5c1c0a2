/// A failure of money arithmetic or parsing. Never a trap: overflow is an error like any other.
public enum MoneyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The currency code is not an active ISO 4217 code.
    case unknownCurrency(String)
    /// The text is not a plain decimal number (digits, one optional point, optional leading minus).
    case notADecimal(String)
    /// The amount has more decimal places than allowed (the currency's exponent, or the field's limit).
    case tooPrecise(String, maxDecimals: Int)
    /// The result does not fit in 64-bit minor units.
    case overflow
    /// The amount is beyond the largest billingd accepts (`Money.maximumMinorUnits`).
    case tooLarge(String, maximum: String)
    /// Amounts in different currencies were combined.
    case currencyMismatch(String, String)
    /// A value that must not be negative was negative.
    case negative(String)

    public var description: String {
        switch self {
        case .unknownCurrency(let code): return "'\(code)' is not an ISO 4217 currency code"
        case .notADecimal(let text): return "'\(text)' is not a decimal number"
        case .tooPrecise(let text, let maxDecimals): return "'\(text)' has more than \(maxDecimals) decimal places"
        case .overflow: return "the amount is too large"
        case .tooLarge(let text, let maximum): return "'\(text)' is more than the largest amount billingd accepts, \(maximum)"
        case .currencyMismatch(let a, let b): return "cannot combine \(a) with \(b)"
        case .negative(let text): return "'\(text)' must not be negative"
        }
    }
}
