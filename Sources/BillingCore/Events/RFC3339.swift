import Foundation

/// Parsing and formatting of RFC 3339 timestamps, the form of every time in our events.
public enum RFC3339 {
    /// Parses `2026-11-22T10:15:00Z` or with a fractional second and/or a numeric offset.
    public static func parse(_ text: String) -> Date? {
        // RFC 3339 allows a lower-case t/z and a space separator only by agreement; we accept the strict form.
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) {
            return date
        }
        return try? Date(text, strategy: Date.ISO8601FormatStyle())
    }

    /// Formats a time in UTC with millisecond precision, e.g. `2026-11-22T10:15:00.123Z`.
    public static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
