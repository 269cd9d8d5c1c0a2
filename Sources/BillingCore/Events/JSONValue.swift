import Foundation

/// A parsed JSON document, kept exactly: numbers keep their source text so no amount ever passes
/// through binary floating point.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A JSON number, as written in the source.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The member with this name, when this is an object.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The string, when this is a string.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// A short name of the JSON kind, for error messages.
    public var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}
