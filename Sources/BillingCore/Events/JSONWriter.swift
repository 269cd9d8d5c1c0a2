extension JSONValue {
    /// The value as compact JSON, object keys sorted, so equal values always give equal bytes.
    public var jsonBytes: [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(512)
        write(into: &output)
        return output
    }

    /// The value as compact JSON text.
    public var jsonString: String { String(decoding: jsonBytes, as: UTF8.self) }

    func write(into output: inout [UInt8]) {
        switch self {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let value): output.append(contentsOf: (value ? "true" : "false").utf8)
        case .number(let text): output.append(contentsOf: text.utf8)
        case .string(let text): JSONValue.writeString(text, into: &output)
        case .array(let items):
            output.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                item.write(into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            for (index, member) in members.sortedByKey().enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                JSONValue.writeString(member.key, into: &output)
                output.append(UInt8(ascii: ":"))
                member.value.write(into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// A JSON string: `"` and `\` escaped, control characters as `\b \t \n \f \r` or `\u00xx`, the
    /// rest as is; the same bytes as SQLite's `json_quote`, which the store's view `outbox_message` uses.
    @usableFromInline
    static func writeString(_ text: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        // Most strings need no escaping: copy them whole.
        let copied = text.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            for byte in bytes where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return false }
            output.append(contentsOf: bytes)
            return true
        }
        if copied == true {
            output.append(UInt8(ascii: "\""))
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): output.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: output.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: output.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: output.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x08: output.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: output.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                output.append(contentsOf: [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}

extension JSONValue {
    /// An array of strings as compact JSON (the same bytes as `.array(items.map(JSONValue.string))`).
    public static func writeStringArray(_ items: [String], into output: inout [UInt8]) {
        output.append(UInt8(ascii: "["))
        for (index, item) in items.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            writeString(item, into: &output)
        }
        output.append(UInt8(ascii: "]"))
    }

    /// An array of strings as compact JSON text.
    public static func stringArrayJSON(_ items: [String]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(2 + 24 * items.count)
        writeStringArray(items, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A flat object of string members as compact JSON with sorted keys (the same text as
    /// `JSONValue.object(...).jsonString`), written without building a dictionary.
    public static func stringObjectJSON(_ pairs: [(String, String)]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(128)
        writeSortedStringObject(pairs.sorted { $0.0 < $1.0 }, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A flat object of string members given in sorted key order (checked in debug builds), appended to
    /// `output`: the same JSON as `stringObjectJSON`, without sorting or allocating. Inlinable, so that it
    /// is specialized where it is called (unspecialized, the tuples cost a metadata lookup each).
    @inlinable
    public static func writeSortedStringObject<Pairs: Sequence>(_ pairs: Pairs, into output: inout [UInt8]) where Pairs.Element == (String, String) {
        output.append(UInt8(ascii: "{"))
        var previous: String?
        for (key, value) in pairs {
            assert(previous.map { $0 <= key } ?? true, "members in sorted key order")
            if previous != nil { output.append(UInt8(ascii: ",")) }
            writeString(key, into: &output)
            output.append(UInt8(ascii: ":"))
            writeString(value, into: &output)
            previous = key
        }
        output.append(UInt8(ascii: "}"))
    }

    /// Message headers as the JSON array `[{"name": …, "value": base64 | null}]` (keys sorted, as
    /// `JSONValue` writes them), written straight into bytes: every outbox row stores its headers so.
    public static func headersJSON(_ headers: [MessageHeader]) -> String {
        guard !headers.isEmpty else { return "[]" }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64 * headers.count)
        writeHeaders(headers, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The same JSON as `headersJSON`, appended to `output`.
    public static func writeHeaders(_ headers: [MessageHeader], into bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "["))
        for (index, header) in headers.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: #"{"name":"#.utf8)
            writeString(header.name, into: &bytes)
            bytes.append(contentsOf: #","value":"#.utf8)
            if let value = header.value {
                bytes.append(UInt8(ascii: "\""))
                Base64.append(value, to: &bytes)
                bytes.append(UInt8(ascii: "\""))
            } else {
                bytes.append(contentsOf: "null".utf8)
            }
            bytes.append(UInt8(ascii: "}"))
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// A string, or null when absent: for optional document fields.
    static func optional(_ text: String?) -> JSONValue? { text.map(JSONValue.string) }

    /// An object from members, leaving out the absent ones.
    static func object(_ pairs: [(String, JSONValue?)]) -> JSONValue {
        var members = JSONObject()
        for (key, value) in pairs { if let value { members[key] = value } }
        return .object(members)
    }
}

/// Standard base64 (RFC 4648, with padding), appended to bytes.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func append(_ input: [UInt8], to output: inout [UInt8]) {
        var index = 0
        while index + 3 <= input.count {
            let chunk = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
            output.append(alphabet[Int(chunk >> 18 & 63)])
            output.append(alphabet[Int(chunk >> 12 & 63)])
            output.append(alphabet[Int(chunk >> 6 & 63)])
            output.append(alphabet[Int(chunk & 63)])
            index += 3
        }
        let rest = input.count - index
        if rest > 0 {
            let chunk = UInt32(input[index]) << 16 | (rest == 2 ? UInt32(input[index + 1]) << 8 : 0)
            output.append(alphabet[Int(chunk >> 18 & 63)])
            output.append(alphabet[Int(chunk >> 12 & 63)])
            output.append(rest == 2 ? alphabet[Int(chunk >> 6 & 63)] : UInt8(ascii: "="))
            output.append(UInt8(ascii: "="))
        }
    }
}
