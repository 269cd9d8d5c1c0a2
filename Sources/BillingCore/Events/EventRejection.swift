/// Why an input record cannot be processed; it goes to the dead-letter topic with this reason.
public enum EventRejection: Error, Sendable, Equatable, CustomStringConvertible {
    /// Every reason code that can appear in `billingd.dlq.reason`.
    public static let allCodes: [String] = [
        "empty_payload", "oversized", "not_utf8", "not_json", "not_an_object", "missing_attribute", "invalid_attribute",
        "unsupported_specversion", "unsupported_content_type", "unknown_type", "invalid_data",
    ] + BusinessRule.allCases.map(\.rawValue)

    /// The record has no value (NULL, a tombstone) or an empty one.
    case emptyPayload
    /// The value is larger than the configured limit.
    case oversized(bytes: Int, limit: Int)
    /// The value is not valid UTF-8.
    case notUTF8
    /// The value is not JSON at all.
    case notJSON(detail: String)
    /// The value is JSON but not an object.
    case notAnObject(kind: String)
    /// A required CloudEvents attribute is absent.
    case missingAttribute(String)
    /// An attribute is present but has the wrong kind or form.
    case invalidAttribute(String, detail: String)
    /// `specversion` is not 1.0.
    case unsupportedSpecVersion(String)
    /// `datacontenttype` is not JSON.
    case unsupportedContentType(String)
    /// `type` is not one billingd knows.
    case unknownType(String)
    /// The `data` of a known type does not match its schema.
    case invalidData(type: String, detail: String)
    /// The event is well formed but breaks a billing rule.
    case rejected(BusinessRule, detail: String)

    /// A stable, machine-readable code for the reason, used as the `billingd.dlq.reason` header.
    public var code: String {
        switch self {
        case .emptyPayload: return "empty_payload"
        case .oversized: return "oversized"
        case .notUTF8: return "not_utf8"
        case .notJSON: return "not_json"
        case .notAnObject: return "not_an_object"
        case .missingAttribute: return "missing_attribute"
        case .invalidAttribute: return "invalid_attribute"
        case .unsupportedSpecVersion: return "unsupported_specversion"
        case .unsupportedContentType: return "unsupported_content_type"
        case .unknownType: return "unknown_type"
        case .invalidData: return "invalid_data"
        case .rejected(let rule, _): return rule.rawValue
        }
    }

    /// A sentence for the operator saying what is wrong.
    public var description: String {
        switch self {
        case .emptyPayload: return "the record has no payload (NULL or empty)"
        case .oversized(let bytes, let limit): return "the payload is \(bytes) bytes, over the limit of \(limit)"
        case .notUTF8: return "the payload is not valid UTF-8"
        case .notJSON(let detail): return "the payload is not JSON: \(detail)"
        case .notAnObject(let kind): return "the payload is a JSON \(kind), not a CloudEvents object"
        case .missingAttribute(let name): return "the CloudEvents attribute '\(name)' is missing"
        case .invalidAttribute(let name, let detail): return "the CloudEvents attribute '\(name)' is invalid: \(detail)"
        case .unsupportedSpecVersion(let version): return "specversion '\(version)' is not supported (only 1.0)"
        case .unsupportedContentType(let type): return "datacontenttype '\(type)' is not supported (only application/json)"
        case .unknownType(let type): return "event type '\(type)' is not one billingd handles"
        case .invalidData(let type, let detail): return "the data of \(type) is invalid: \(detail)"
        case .rejected(_, let detail): return detail
        }
    }
}
