import Foundation

/// Reads typed fields out of an event's JSON `data`, with errors that name the field's path
/// (`lines[2].unit_price`), so a dead letter says exactly what to fix.
public struct DataReader: Sendable {
    let node: JSONNode
    /// The path of this object, or of the array it is an element of (then `element` is its index): the
    /// element's path is only spelled out for an error.
    let base: String
    let element: Int?

    /// Wraps a JSON object.
    ///
    /// - Throws: `DataError` when the value is not an object.
    public init(_ node: JSONNode, path: String = "data") throws(DataError) {
        try self.init(node, base: path, element: nil)
    }

    private init(_ node: JSONNode, base: String, element: Int?) throws(DataError) {
        self.node = node
        self.base = base
        self.element = element
        guard node.isObject else { throw DataError(path: path, problem: "must be an object, found a \(node.kindName)") }
    }

    /// This object's path, such as `lines[2]`.
    var path: String { element.map { "\(base)[\($0)]" } ?? base }

    func fieldPath(_ name: String) -> String { element == nil && base == "data" ? name : "\(path).\(name)" }

    /// The member with this name unless it is absent or null.
    func member(_ name: String) -> JSONNode? {
        guard let value = node[name], !value.isNull else { return nil }
        return value
    }

    /// A required non-empty string taken exactly as sent: identifiers, and the text of decimals, dates
    /// and codes. Leading or trailing white space is refused, not trimmed (" 5.00" is not an amount, and
    /// "O-1 " is not order O-1).
    public func string(_ name: String) throws(DataError) -> String {
        guard let value = member(name) else { throw DataError(path: fieldPath(name), problem: "is required") }
        guard let text = value.string else {
            throw DataError(path: fieldPath(name), problem: "must be a string, found a \(value.kindName)")
        }
        guard let first = text.utf8.first, let last = text.utf8.last else { throw DataError(path: fieldPath(name), problem: "is required") }
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
        guard !isSpace(first), !isSpace(last) else {
            throw DataError(path: fieldPath(name), problem: "'\(text)' has leading or trailing white space")
        }
        return text
    }

    /// An optional string; empty counts as absent.
    public func optionalString(_ name: String) throws(DataError) -> String? {
        guard let value = member(name) else { return nil }
        guard let trimmed = value.stringTrimmedOfSpaces else {
            throw DataError(path: fieldPath(name), problem: "must be a string, found a \(value.kindName)")
        }
        return trimmed.isEmpty ? nil : trimmed
    }

    /// A required decimal given as a string (amounts are never JSON numbers).
    public func decimal(_ name: String, maxScale: Int) throws(DataError) -> Decimal64 {
        let text = try string(name)
        do {
            return try Decimal64(parsing: text, maxScale: maxScale)
        } catch {
            throw DataError(path: fieldPath(name), problem: error.description)
        }
    }

    /// A required quantity: a decimal with at most `Order.quantityScale` decimals, more than 0 and at most
    /// `Order.maximumQuantity`.
    public func quantity(_ name: String) throws(DataError) -> Decimal64 {
        let quantity = try decimal(name, maxScale: Order.quantityScale)
        guard quantity > Decimal64(units: 0, scale: 0) else { throw DataError(path: fieldPath(name), problem: "must be more than 0") }
        guard quantity <= Order.maximumQuantity else {
            throw DataError(path: fieldPath(name), problem: "'\(quantity)' is more than the largest quantity billingd accepts, \(Order.maximumQuantity)")
        }
        return quantity
    }

    /// An optional decimal string.
    public func optionalDecimal(_ name: String, maxScale: Int) throws(DataError) -> Decimal64? {
        guard member(name) != nil else { return nil }
        return try decimal(name, maxScale: maxScale)
    }

    /// A required whole number, given as a JSON integer or a string of digits.
    public func integer(_ name: String) throws(DataError) -> Int {
        guard let value = member(name) else { throw DataError(path: fieldPath(name), problem: "is required") }
        guard let text = value.numberText ?? value.string else {
            throw DataError(path: fieldPath(name), problem: "must be a whole number, found a \(value.kindName)")
        }
        let digits = text.utf8.drop { $0 == UInt8(ascii: "-") }
        guard text.utf8.count <= 12, !digits.isEmpty, digits.count >= text.utf8.count - 1, digits.allSatisfy({ ASCIIDigits.value($0) != nil }),
            let number = Int(text)
        else {
            throw DataError(path: fieldPath(name), problem: "must be a whole number, found '\(text)'")
        }
        return number
    }

    /// A required calendar date `YYYY-MM-DD`.
    public func date(_ name: String) throws(DataError) -> BusinessDate {
        let text = try string(name)
        guard let date = BusinessDate(text) else { throw DataError(path: fieldPath(name), problem: "'\(text)' is not a date YYYY-MM-DD") }
        return date
    }

    /// A nested object, when present.
    public func optionalObject(_ name: String) throws(DataError) -> DataReader? {
        guard let value = member(name) else { return nil }
        return try DataReader(value, path: fieldPath(name))
    }

    /// A required non-empty array of objects.
    public func objects(_ name: String) throws(DataError) -> [DataReader] {
        guard let value = member(name) else { throw DataError(path: fieldPath(name), problem: "is required") }
        guard value.isArray else { throw DataError(path: fieldPath(name), problem: "must be an array, found a \(value.kindName)") }
        let items = value.elements
        guard !items.isEmpty else { throw DataError(path: fieldPath(name), problem: "must not be empty") }
        let base = fieldPath(name)
        var readers: [DataReader] = []
        readers.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            readers.append(try DataReader(item, base: base, element: index))
        }
        return readers
    }

    /// An optional array of strings.
    public func strings(_ name: String) throws(DataError) -> [String] {
        guard let value = member(name) else { return [] }
        guard value.isArray else { throw DataError(path: fieldPath(name), problem: "must be an array of strings") }
        var result: [String] = []
        for (index, item) in value.elements.enumerated() {
            guard let text = item.string else { throw DataError(path: "\(fieldPath(name))[\(index)]", problem: "must be a string") }
            result.append(text)
        }
        return result
    }

    /// A currency code.
    public func currency(_ name: String) throws(DataError) -> Currency {
        let code = try string(name)
        do {
            return try Currency(code: code)
        } catch {
            throw DataError(path: fieldPath(name), problem: error.description)
        }
    }

    /// A money amount in `currency`.
    public func money(_ name: String, currency: Currency) throws(DataError) -> Money {
        let text = try string(name)
        do {
            return try Money(parsing: text, currency: currency)
        } catch {
            throw DataError(path: fieldPath(name), problem: error.description)
        }
    }

    /// An optional money amount in `currency`.
    public func optionalMoney(_ name: String, currency: Currency) throws(DataError) -> Money? {
        guard member(name) != nil else { return nil }
        return try money(name, currency: currency)
    }
}

/// A field of event data that is missing or malformed.
public struct DataError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The field's path, such as `lines[0].quantity`.
    public let path: String
    /// What is wrong.
    public let problem: String

    /// Makes an error.
    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "\(path) \(problem)" }
}

extension String {
    /// The string without leading and trailing spaces and tabs; cheap when there are none.
    var trimmedOfSpaces: String {
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
        let utf8 = self.utf8
        guard let first = utf8.first, let last = utf8.last, isSpace(first) || isSpace(last) else { return self }
        let bytes = Array(utf8)
        var start = 0
        var end = bytes.count
        while start < end && isSpace(bytes[start]) { start += 1 }
        while end > start && isSpace(bytes[end - 1]) { end -= 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }
}

extension JSONNode {
    /// A value read back from its compact JSON, for reading a built `JSONValue` as event data.
    ///
    /// - Throws: `DataError` if the value cannot be read back (nested deeper than the parser allows).
    static func reading(_ value: JSONValue) throws(DataError) -> JSONNode {
        do {
            return try JSONDocument(parsing: value.jsonBytes).root
        } catch {
            throw DataError(path: "data", problem: "cannot be read: \(error.description)")
        }
    }
}

// Event data given as a `JSONValue` tree (built in code rather than received) reads the same way.
extension Order {
    public init(data: JSONValue, defaultPaymentTermDays: Int) throws(DataError) {
        try self.init(data: JSONNode.reading(data), defaultPaymentTermDays: defaultPaymentTermDays)
    }
}

extension Fulfilment {
    public init(data: JSONValue) throws(DataError) { try self.init(data: JSONNode.reading(data)) }
}

extension OrderCancellation {
    public init(data: JSONValue) throws(DataError) { try self.init(data: JSONNode.reading(data)) }
}

extension PaymentReceived {
    public init(data: JSONValue) throws(DataError) { try self.init(data: JSONNode.reading(data)) }
}

/// Keys seen so far, to find one given twice: a scan while there are few (the lines of an order), a set
/// past that.
struct DistinctKeys {
    private var few: [String] = []
    private var many: Set<String>?

    /// Adds `key`; false if it was there already.
    mutating func insert(_ key: String) -> Bool {
        if many != nil { return many!.insert(key).inserted }
        if few.contains(key) { return false }
        few.append(key)
        if few.count > 16 { many = Set(few) }
        return true
    }
}
