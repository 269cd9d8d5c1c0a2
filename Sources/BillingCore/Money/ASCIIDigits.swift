/// Decimal digits written straight into bytes: the hot formatting paths (invoice numbers, dates,
/// amounts) run for every event, and going through `String(format:)` or string concatenation there
/// cost more than the SQL they feed.
enum ASCIIDigits {
    /// Appends `value` (≥ 0) in decimal, left-padded with zeros to at least `width` digits.
    static func append<Value: BinaryInteger>(_ value: Value, width: Int = 1, to output: inout [UInt8]) {
        precondition(value >= 0, "ASCIIDigits.append takes a magnitude")
        var digits: [UInt8] = []
        digits.reserveCapacity(40)
        var rest = value
        repeat {
            digits.append(UInt8(truncatingIfNeeded: rest % 10) + 48)
            rest /= 10
        } while rest > 0
        if digits.count < width { output.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: width - digits.count)) }
        output.append(contentsOf: digits.reversed())
    }

    /// `value` in decimal, zero-padded to at least `width` digits.
    static func string<Value: BinaryInteger>(_ value: Value, width: Int = 1) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(max(width, 20))
        append(value, width: width, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The value of an ASCII digit, or nil.
    @inline(__always)
    static func value(_ byte: UInt8) -> Int? {
        byte >= 48 && byte <= 57 ? Int(byte - 48) : nil
    }
}
