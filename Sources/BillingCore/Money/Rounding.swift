/// billingd's one rounding rule: **half away from zero** (commercial rounding: 0.005 → 0.01,
/// −0.005 → −0.01), applied only where docs/BILLING-RULES.md says — a line's net amount, and each tax
/// rate's total tax. Everything else is exact integer arithmetic.
public enum Rounding {
    /// Divides `numerator` by `denominator` (> 0), rounding half away from zero.
    public static func divide(_ numerator: Int128, by denominator: Int128) -> Int128 {
        precondition(denominator > 0)
        let magnitude = numerator.magnitude
        let quotient = magnitude / denominator.magnitude
        let remainder = magnitude % denominator.magnitude
        let rounded = remainder * 2 >= denominator.magnitude ? quotient + 1 : quotient
        return numerator < 0 ? -Int128(rounded) : Int128(rounded)
    }

    /// Converts an exact 128-bit result to 64-bit minor units.
    ///
    /// - Throws: `MoneyError.overflow` when it does not fit.
    public static func minorUnits(_ value: Int128) throws(MoneyError) -> Int64 {
        guard let result = Int64(exactly: value) else { throw .overflow }
        return result
    }
}
