/// A postal address as invoices need it.
public struct PostalAddress: Hashable, Sendable, Codable {
    public var line1: String?
    public var line2: String?
    public var city: String?
    public var postalCode: String?
    /// ISO 3166-1 alpha-2 country code.
    public var country: String?

    public init(line1: String? = nil, line2: String? = nil, city: String? = nil, postalCode: String? = nil, country: String? = nil) {
        self.line1 = line1
        self.line2 = line2
        self.city = city
        self.postalCode = postalCode
        self.country = country
    }

    enum CodingKeys: String, CodingKey {
        case line1, line2, city
        case postalCode = "postal_code"
        case country
    }
}

/// The seller or the buyer on an invoice.
public struct Party: Hashable, Sendable, Codable {
    public var name: String?
    /// VAT or tax registration id.
    public var taxID: String?
    public var address: PostalAddress?

    public init(name: String? = nil, taxID: String? = nil, address: PostalAddress? = nil) {
        self.name = name
        self.taxID = taxID
        self.address = address
    }

    enum CodingKeys: String, CodingKey {
        case name
        case taxID = "tax_id"
        case address
    }
}
