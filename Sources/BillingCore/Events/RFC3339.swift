import Foundation

/// Parsing and formatting of RFC 3339 timestamps, the form of every time in our events.
public enum RFC3339 {
    /// Parses an RFC 3339 date-time exactly: `YYYY-MM-DDTHH:MM:SS`, an optional fraction of 1 to 9
    /// digits, then `Z` or `±HH:MM`. `T` and `Z` may be lower case (RFC 3339 §5.6); nothing else is
    /// accepted: no space separator, no missing seconds, no surrounding white space. The date must exist
    /// (no 2026-02-30), hours are 00–23, minutes 00–59, seconds 00–59 or 60 (a leap second, counted as
    /// the next minute's first second), offsets up to ±23:59.
    ///
    /// - Returns: nil for anything else.
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20 else { return nil }
        func number(_ from: Int, _ count: Int) -> Int? {
            var value = 0
            for index in from..<(from + count) {
                guard let digit = ASCIIDigits.value(bytes[index]) else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        guard bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"),
            bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
            let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
            let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
            let date = BusinessDate(year: year, month: month, day: day),
            hour <= 23, minute <= 59, second <= 60
        else { return nil }
        var index = 19
        var nanoseconds = 0
        if bytes[index] == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            while index < bytes.count, let digit = ASCIIDigits.value(bytes[index]) {
                guard digits < 9 else { return nil }
                nanoseconds = nanoseconds * 10 + digit
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<9 { nanoseconds *= 10 }
        }
        guard index < bytes.count else { return nil }
        var offsetSeconds = 0
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            index += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard index + 6 == bytes.count, bytes[index + 3] == UInt8(ascii: ":"),
                let offsetHours = number(index + 1, 2), let offsetMinutes = number(index + 4, 2), offsetHours <= 23, offsetMinutes <= 59
            else { return nil }
            offsetSeconds = (offsetHours * 3600 + offsetMinutes * 60) * (bytes[index] == UInt8(ascii: "-") ? -1 : 1)
            index += 6
        default:
            return nil
        }
        guard index == bytes.count, let zone = TimeZone(secondsFromGMT: offsetSeconds) else { return nil }
        // The calendar turns the fields into an instant (a leap second 60 into the next minute's first).
        let components = DateComponents(
            timeZone: zone, year: date.year, month: date.month, day: date.day, hour: hour, minute: minute, second: second, nanosecond: nanoseconds)
        return gregorian.date(from: components)
    }

    private static let gregorian = Calendar(identifier: .gregorian)

    /// Formats a time in UTC with millisecond precision, e.g. `2026-11-22T10:15:00.123Z`.
    public static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
