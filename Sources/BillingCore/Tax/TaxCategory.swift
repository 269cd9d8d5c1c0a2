/// The VAT category of a line, with the EN 16931 (UNCL5305) codes.
public enum TaxCategory: String, Sendable, Codable, CaseIterable {
    /// Standard rate.
    case standard = "S"
    /// Zero rated goods.
    case zeroRated = "Z"
    /// Exempt from tax.
    case exempt = "E"
    /// Reverse charge: the buyer accounts for the tax.
    case reverseCharge = "AE"
    /// Intra-community supply.
    case intraCommunity = "K"
    /// Export outside the EU.
    case export = "G"
    /// Outside the scope of tax.
    case outOfScope = "O"

    /// Whether a rate other than 0 is allowed in this category.
    public var allowsPositiveRate: Bool { self == .standard }
}
