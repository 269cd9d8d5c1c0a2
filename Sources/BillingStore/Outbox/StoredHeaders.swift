import BillingCore
import Foundation

/// The JSON form of message headers in the `outbox.headers` column: `[{"name": …, "value": base64 | null}]`.
/// A header may also give its value as UTF-8 text, `{"name": …, "text": …}`: the view `outbox_message`
/// writes the headers of a billing event that way.
enum StoredHeaders {
    /// Appends the headers' column value to a write, its JSON written straight into the buffer.
    static func write(_ headers: [MessageHeader], into values: inout WriteBuffer.Values) {
        values.text { JSONValue.writeHeaders(headers, into: &$0) }
    }

    static func decode(_ text: String) throws -> [MessageHeader] {
        guard text != "[]" else { return [] }
        guard case .array(let items) = try JSONParser.parse(Array(text.utf8)) else { throw invalid("not an array") }
        return try items.map { item in
            guard let name = item["name"]?.stringValue else { throw invalid("a header without a name") }
            if let text = item["text"] {
                guard let text = text.stringValue else { throw invalid("header \(name) has a text that is not a string") }
                return MessageHeader(name: name, string: text)
            }
            switch item["value"] {
            case .none, .some(.null):
                return MessageHeader(name: name, value: nil)
            case .some(.string(let encoded)):
                guard let data = Data(base64Encoded: encoded) else { throw invalid("header \(name) is not base64") }
                return MessageHeader(name: name, value: Array(data))
            default:
                throw invalid("header \(name) has a value that is not a string")
            }
        }
    }

    private static func invalid(_ reason: String) -> DecodingError {
        DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "outbox headers: \(reason)"))
    }
}
