import BillingCore
import Foundation

/// The JSON form of message headers in the `outbox.headers` column: `[{"name": …, "value": base64 | null}]`.
enum StoredHeaders {
    private struct Row: Codable {
        let name: String
        let value: String?
    }

    static func encode(_ headers: [MessageHeader]) throws -> String {
        let rows = headers.map { Row(name: $0.name, value: $0.value.map { Data($0).base64EncodedString() }) }
        return String(decoding: try JSONEncoder().encode(rows), as: UTF8.self)
    }

    static func decode(_ text: String) throws -> [MessageHeader] {
        try JSONDecoder().decode([Row].self, from: Data(text.utf8)).map { row in
            MessageHeader(name: row.name, value: try row.value.map { value in
                guard let data = Data(base64Encoded: value) else {
                    throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "header \(row.name) is not base64"))
                }
                return Array(data)
            })
        }
    }
}
