import Foundation

/// What billing decisions need besides the state and the event: the time and the company's settings.
/// The core never reads a clock; the caller passes `now`.
public struct BillingContext: Sendable {
    /// The moment of processing.
    public let now: Date
    /// The company's time zone; business dates (issue, due) are calendar dates there.
    public let timeZone: TimeZone
    /// The seller on every invoice.
    public let seller: Party
    /// Invoice number format.
    public let numbering: InvoiceNumbering
    /// Payment terms when an order gives none.
    public let defaultPaymentTermDays: Int

    public init(now: Date, timeZone: TimeZone, seller: Party, numbering: InvoiceNumbering, defaultPaymentTermDays: Int) {
        self.now = now
        self.timeZone = timeZone
        self.seller = seller
        self.numbering = numbering
        self.defaultPaymentTermDays = defaultPaymentTermDays
    }

    /// Today, in the company's time zone.
    public var today: BusinessDate { BusinessDate(now, in: timeZone) }
}
