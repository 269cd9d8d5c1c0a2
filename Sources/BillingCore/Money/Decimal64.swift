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
        let bytes = Array(text.utf8)
        var index = 0
        let negative = bytes.first == UInt8(ascii: "-")
        if negative { index = 1 }
        var integerDigits = 0
        var fractionEnd = -1
        var point = -1
        for position in index..<bytes.count {
            if bytes[position] == UInt8(ascii: "."), point < 0 {
                point = position
            } else if ASCIIDigits.value(bytes[position]) == nil {
                throw .notADecimal(text)
            } else if point < 0 {
                integerDigits += 1
            }
        }
        guard integerDigits > 0, point < 0 || point < bytes.count - 1 else { throw .notADecimal(text) }
        fractionEnd = bytes.count
        if point >= 0 {
            // Trailing zeros beyond the limit carry no precision: "1.500" is fine for a 2-decimal currency.
            while fractionEnd - point - 1 > maxScale && bytes[fractionEnd - 1] == UInt8(ascii: "0") { fractionEnd -= 1 }
            guard fractionEnd - point - 1 <= maxScale else { throw .tooPrecise(text, maxDecimals: maxScale) }
        }
        var value: Int64 = 0
        for position in index..<fractionEnd where position != point {
            let (shifted, o1) = value.multipliedReportingOverflow(by: 10)
            let (added, o2) = shifted.addingReportingOverflow(Int64(bytes[position] - 48))
            guard !o1, !o2 else { throw .overflow }
            value = added
        }
        units = negative ? -value : value
        scale = point < 0 ? 0 : fractionEnd - point - 1
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

    public var description: String { ASCIIDigits.text { append(to: &$0) } }

    /// Appends the decimal text of `units` × 10^-`scale` to `output` (documents are written straight to
    /// bytes; the string forms are made from this too).
    static func append(units: Int128, scale: Int, trimTrailingZeros: Bool = false, to output: inout [UInt8]) {
        if units < 0 { output.append(UInt8(ascii: "-")) }
        let digitsStart = output.count
        // At least one digit before the point: 5 at scale 2 is "0.05".
        // 128-bit division is slow: amounts nearly always fit 64 bits.
        if let small = UInt64(exactly: units.magnitude) {
            ASCIIDigits.append(small, width: scale + 1, to: &output)
        } else {
            ASCIIDigits.append(units.magnitude, width: scale + 1, to: &output)
        }
        guard scale > 0 else { return }
        // Room for the point: the fraction's digits move one place right.
        output.append(0)
        let point = output.count - 1 - scale
        var index = output.count - 1
        while index > point {
            output[index] = output[index - 1]
            index -= 1
        }
        output[point] = UInt8(ascii: ".")
        if trimTrailingZeros {
            while output.count > digitsStart, output[output.count - 1] == UInt8(ascii: "0") { output.removeLast() }
            if output[output.count - 1] == UInt8(ascii: ".") { output.removeLast() }
        }
    }

    /// Appends `description` to `output`.
    func append(to output: inout [UInt8]) {
        Decimal64.append(units: Int128(units), scale: scale, to: &output)
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
