/// An exact decimal: an integer `units` scaled by 10^-`scale`, parsed from and printed as a decimal
/// string. Used for quantities, unit prices and rates; never binary floating point.
public struct Decimal64: Hashable, Sendable, CustomStringConvertible, Comparable {
    /// The unscaled value.
    public let units: Int64
    /// Digits after the decimal point.
    public let scale: Int

    /// Makes a decimal from units and scale.
    public init(units: Int64, scale: Int) {
        self.units = units
        self.scale = scale
    }

    /// Parses `"12"`, `"12.5"`, `"-0.125"`. No exponent, no thousands separators, no `+`.
    ///
    /// - Throws: `MoneyError.notADecimal`, `.tooPrecise` when there are more than `maxScale` decimals,
    ///   `.overflow` when it does not fit.
    public init(parsing text: String, maxScale: Int) throws(MoneyError) {
        var digits = Substring(text)
        var negative = false
        if digits.first == "-" {
            negative = true
            digits = digits.dropFirst()
        }
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }),
            parts.count == 1 || !parts[1].isEmpty
        else { throw .notADecimal(text) }
        var fraction = parts.count == 2 ? parts[1] : ""
        // Trailing zeros beyond the limit carry no precision: "1.500" is fine for a 2-decimal currency.
        while fraction.count > maxScale && fraction.last == "0" { fraction = fraction.dropLast() }
        guard fraction.count <= maxScale else { throw .tooPrecise(text, maxDecimals: maxScale) }
        var value: Int64 = 0
        for character in parts[0] + fraction {
            let (shifted, o1) = value.multipliedReportingOverflow(by: 10)
            let (added, o2) = shifted.addingReportingOverflow(Int64(character.asciiValue! - 48))
            guard !o1, !o2 else { throw .overflow }
            value = added
        }
        units = negative ? -value : value
        scale = fraction.count
    }

    /// This value at a larger scale.
    ///
    /// - Throws: `MoneyError.overflow`.
    public func rescaled(to newScale: Int) throws(MoneyError) -> Decimal64 {
        precondition(newScale >= scale, "rescaled only widens")
        var value = units
        for _ in scale..<newScale {
            let (next, overflow) = value.multipliedReportingOverflow(by: 10)
            guard !overflow else { throw .overflow }
            value = next
        }
        return Decimal64(units: value, scale: newScale)
    }

    public var isNegative: Bool { units < 0 }
    public var isZero: Bool { units == 0 }

    public var description: String { Decimal64.format(units: Int128(units), scale: scale) }

    static func format(units: Int128, scale: Int) -> String {
        let negative = units < 0
        let digits = String(negative ? -units : units)
        guard scale > 0 else { return (negative ? "-" : "") + digits }
        let padded = String(repeating: "0", count: max(0, scale + 1 - digits.count)) + digits
        let split = padded.index(padded.endIndex, offsetBy: -scale)
        return (negative ? "-" : "") + padded[..<split] + "." + padded[split...]
    }

    public static func < (lhs: Decimal64, rhs: Decimal64) -> Bool {
        let scale = max(lhs.scale, rhs.scale)
        return Int128(lhs.units) * pow10(scale - lhs.scale) < Int128(rhs.units) * pow10(scale - rhs.scale)
    }

    public static func == (lhs: Decimal64, rhs: Decimal64) -> Bool {
        let scale = max(lhs.scale, rhs.scale)
        return Int128(lhs.units) * pow10(scale - lhs.scale) == Int128(rhs.units) * pow10(scale - rhs.scale)
    }

    public func hash(into hasher: inout Hasher) {
        var units = self.units
        var scale = self.scale
        while scale > 0 && units % 10 == 0 {
            units /= 10
            scale -= 1
        }
        hasher.combine(units)
        hasher.combine(scale)
    }
}

/// 10^n as a 128-bit integer (n ≤ 38).
func pow10(_ n: Int) -> Int128 {
    var result: Int128 = 1
    for _ in 0..<n { result *= 10 }
    return result
}

extension Character {
    var isASCIIDigit: Bool { asciiValue.map { (48...57).contains($0) } ?? false }
}

extension Decimal64 {
    /// The exact sum, at the larger scale.
    ///
    /// - Throws: `MoneyError.overflow`.
    public func adding(_ other: Decimal64) throws(MoneyError) -> Decimal64 {
        let scale = Swift.max(self.scale, other.scale)
        let (sum, overflow) = try rescaled(to: scale).units.addingReportingOverflow(try other.rescaled(to: scale).units)
        guard !overflow else { throw .overflow }
        return Decimal64(units: sum, scale: scale)
    }

    /// Zero.
    public static let zero = Decimal64(units: 0, scale: 0)
}
