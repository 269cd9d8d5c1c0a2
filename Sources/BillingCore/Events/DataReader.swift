import Foundation

/// Reads typed fields out of an event's JSON `data`, with errors that name the field's path
/// (`lines[2].unit_price`), so a dead letter says exactly what to fix.
public struct DataReader: Sendable {
    let members: JSONObject
    let path: String

    /// Wraps a JSON object.
    ///
    /// - Throws: `DataError` when the value is not an object.
    public init(_ value: JSONValue, path: String = "data") throws(DataError) {
        guard case .object(let members) = value else { throw DataError(path: path, problem: "must be an object, found a \(value.kindName)") }
        self.members = members
        self.path = path
    }

    func fieldPath(_ name: String) -> String { path == "data" ? name : "\(path).\(name)" }

    /// A required non-empty string.
    public func string(_ name: String) throws(DataError) -> String {
        guard let value = try optionalString(name) else { throw DataError(path: fieldPath(name), problem: "is required") }
        return value
    }

    /// An optional string; empty counts as absent.
    public func optionalString(_ name: String) throws(DataError) -> String? {
        guard let value = members[name], value != .null else { return nil }
        guard case .string(let text) = value else {
            throw DataError(path: fieldPath(name), problem: "must be a string, found a \(value.kindName)")
        }
        let trimmed = text.trimmedOfSpaces
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

    /// An optional decimal string.
    public func optionalDecimal(_ name: String, maxScale: Int) throws(DataError) -> Decimal64? {
        guard members[name] != nil, members[name] != .null else { return nil }
        return try decimal(name, maxScale: maxScale)
    }

    /// A required whole number, given as a JSON integer or a string of digits.
    public func integer(_ name: String) throws(DataError) -> Int {
        guard let value = members[name], value != .null else { throw DataError(path: fieldPath(name), problem: "is required") }
        switch value {
        case .number(let text), .string(let text):
            guard let number = Int(text) else { throw DataError(path: fieldPath(name), problem: "must be a whole number, found '\(text)'") }
            return number
        default:
            throw DataError(path: fieldPath(name), problem: "must be a whole number, found a \(value.kindName)")
        }
    }

    /// A required calendar date `YYYY-MM-DD`.
    public func date(_ name: String) throws(DataError) -> BusinessDate {
        let text = try string(name)
        guard let date = BusinessDate(text) else { throw DataError(path: fieldPath(name), problem: "'\(text)' is not a date YYYY-MM-DD") }
        return date
    }

    /// A nested object, when present.
    public func optionalObject(_ name: String) throws(DataError) -> DataReader? {
        guard let value = members[name], value != .null else { return nil }
        return try DataReader(value, path: fieldPath(name))
    }

    /// A required non-empty array of objects.
    public func objects(_ name: String) throws(DataError) -> [DataReader] {
        guard let value = members[name], value != .null else { throw DataError(path: fieldPath(name), problem: "is required") }
        guard case .array(let items) = value else { throw DataError(path: fieldPath(name), problem: "must be an array, found a \(value.kindName)") }
        guard !items.isEmpty else { throw DataError(path: fieldPath(name), problem: "must not be empty") }
        var readers: [DataReader] = []
        for (index, item) in items.enumerated() {
            readers.append(try DataReader(item, path: "\(fieldPath(name))[\(index)]"))
        }
        return readers
    }

    /// An optional array of strings.
    public func strings(_ name: String) throws(DataError) -> [String] {
        guard let value = members[name], value != .null else { return [] }
        guard case .array(let items) = value else { throw DataError(path: fieldPath(name), problem: "must be an array of strings") }
        var result: [String] = []
        for (index, item) in items.enumerated() {
            guard case .string(let text) = item else { throw DataError(path: "\(fieldPath(name))[\(index)]", problem: "must be a string") }
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
        guard members[name] != nil, members[name] != .null else { return nil }
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
