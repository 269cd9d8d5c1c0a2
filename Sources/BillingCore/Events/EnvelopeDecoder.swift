import Foundation

/// Turns the bytes of an input record into an `InputEnvelope`, or says exactly why it cannot.
///
/// Only the structured JSON mode of CloudEvents 1.0 is accepted: the whole event, attributes and
/// `data`, is the record value.
public struct EnvelopeDecoder: Sendable {
    /// The largest payload accepted, in bytes.
    public let maxPayloadBytes: Int

    /// Makes a decoder with a payload limit.
    public init(maxPayloadBytes: Int) {
        self.maxPayloadBytes = maxPayloadBytes
    }

    /// Validates and decodes one record value.
    ///
    /// - Throws: `EnvelopeFailure` with the `EventRejection` naming the first problem found, and the
    ///   event's id and type when they could be read.
    public func decode(_ payload: [UInt8]?) throws(EnvelopeFailure) -> InputEnvelope {
        var root: JSONNode?
        do {
            return try decode(payload, root: &root)
        } catch {
            throw EnvelopeFailure(rejection: error, eventID: root?["id"]?.string, eventType: root?["type"]?.string)
        }
    }

    private func decode(_ payload: [UInt8]?, root: inout JSONNode?) throws(EventRejection) -> InputEnvelope {
        guard let payload, !payload.isEmpty else { throw .emptyPayload }
        guard payload.count <= maxPayloadBytes else { throw .oversized(bytes: payload.count, limit: maxPayloadBytes) }
        // Plain ASCII is valid UTF-8: only a payload with other bytes needs the full check (which builds a
        // string of the whole payload).
        guard Self.isASCII(payload) || String(validating: payload, as: UTF8.self) != nil else { throw .notUTF8 }
        let document: JSONDocument
        do {
            document = try JSONDocument(parsing: payload)
        } catch {
            throw .notJSON(detail: error.description)
        }
        let members = document.root
        guard members.isObject else { throw .notAnObject(kind: members.kindName) }
        root = members

        func requiredString(_ name: String) throws(EventRejection) -> String {
            guard let value = members[name] else { throw .missingAttribute(name) }
            guard let text = value.string else {
                throw .invalidAttribute(name, detail: "expected a string, found a \(value.kindName)")
            }
            guard !text.isEmpty else { throw .invalidAttribute(name, detail: "must not be empty") }
            return text
        }
        func optionalString(_ name: String) throws(EventRejection) -> String? {
            guard let value = members[name], !value.isNull else { return nil }
            guard let text = value.string else {
                throw .invalidAttribute(name, detail: "expected a string, found a \(value.kindName)")
            }
            return text
        }

        let specVersion = try requiredString("specversion")
        guard specVersion == "1.0" else { throw .unsupportedSpecVersion(specVersion) }
        let id = try requiredString("id")
        let source = try requiredString("source")
        let typeName = try requiredString("type")
        if let contentType = try optionalString("datacontenttype") {
            let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard mediaType == "application/json" || mediaType?.hasSuffix("+json") == true else {
                throw .unsupportedContentType(contentType)
            }
        }
        let subject = try optionalString("subject")
        var time: Date?
        if let text = try optionalString("time") {
            guard let parsed = RFC3339.parse(text) else {
                throw .invalidAttribute("time", detail: "'\(text)' is not an RFC 3339 timestamp")
            }
            time = parsed
        }
        guard let type = InputEventType(rawValue: typeName) else { throw .unknownType(typeName) }
        guard let data = members["data"] else { throw .missingAttribute("data") }
        guard data.isObject else {
            throw .invalidData(type: typeName, detail: "data must be a JSON object, found a \(data.kindName)")
        }
        return InputEnvelope(id: id, source: source, type: type, subject: subject, time: time, dataNode: data)
    }

    /// Whether every byte is below 0x80, eight bytes at a time.
    static func isASCII(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            var index = 0
            while index + 8 <= raw.count {
                if raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
                index += 8
            }
            while index < raw.count {
                if raw[index] >= 0x80 { return false }
                index += 1
            }
            return true
        }
    }
}
