import Foundation

/// How invoice numbers look: one gapless series per calendar year of the issue date,
/// `PREFIX-YYYY-NNNNNN` (e.g. `INV-2026-000001`).
public struct InvoiceNumbering: Sendable, Equatable {
    /// The prefix, such as `INV`.
    public let prefix: String

    /// Makes a numbering scheme.
    public init(prefix: String) {
        self.prefix = prefix
    }

    /// The series an invoice issued on `date` belongs to.
    public func series(for date: BusinessDate) -> String { prefix + "-" + ASCIIDigits.string(date.year, width: 4) }

    /// The number with sequence `sequence` (1, 2, …) in `series`.
    public func number(series: String, sequence: Int64) -> String {
        series + "-" + ASCIIDigits.string(sequence, width: 6)
    }
}
