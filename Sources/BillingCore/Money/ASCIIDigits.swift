/// Decimal digits written straight into bytes: the hot formatting paths (invoice numbers, dates,
/// amounts) run for every event, and going through `String(format:)` or string concatenation there
/// cost more than the SQL they feed.
enum ASCIIDigits {
    /// Appends `value` (≥ 0) in decimal, left-padded with zeros to at least `width` digits. The digits
    /// are formed in a small buffer on the stack: no allocation besides the output's own growth.
    static func append<Value: BinaryInteger>(_ value: Value, width: Int = 1, to output: inout [UInt8]) {
        precondition(value >= 0, "ASCIIDigits.append takes a magnitude")
        // 40 digits hold any 128-bit magnitude.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 40) { digits in
            var start = digits.count
            var rest = value
            repeat {
                start -= 1
                digits[start] = UInt8(truncatingIfNeeded: rest % 10) + 48
                rest /= 10
            } while rest > 0
            let count = digits.count - start
            if count < width { output.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: width - count)) }
            output.append(contentsOf: UnsafeMutableBufferPointer(rebasing: digits[start...]))
        }
    }

    /// `value` in decimal, zero-padded to at least `width` digits.
    static func string<Value: BinaryInteger>(_ value: Value, width: Int = 1) -> String {
        text(capacity: max(width, 20)) { append(value, width: width, to: &$0) }
    }

    /// The text that `write` appends to an empty buffer: the string form of a value whose `append(to:)`
    /// writes it into documents.
    static func text(capacity: Int = 24, _ write: (inout [UInt8]) -> Void) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(capacity)
        write(&bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The value of an ASCII digit, or nil.
    @inline(__always)
    static func value(_ byte: UInt8) -> Int? {
        byte >= 48 && byte <= 57 ? Int(byte - 48) : nil
    }
}
