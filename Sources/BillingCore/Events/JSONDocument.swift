import Foundation

/// A parsed JSON document as its source bytes and one flat list of nodes in document order.
///
/// Reading an event this way costs one array of nodes instead of a tree of values with a string per
/// name and per text: a string is made only when a reader asks for one, and writing the document again
/// copies the source bytes. `JSONNode` reads it; `JSONNode.value` builds the `JSONValue` tree.
public final class JSONDocument: Sendable {
    /// The document's source, exactly as given.
    public let bytes: [UInt8]
    let nodes: [Node]

    /// Parses one JSON document (RFC 8259, strictly; see `JSONParser`).
    ///
    /// - Throws: `JSONParser.Failure` naming the first problem and its byte offset.
    public init(parsing bytes: [UInt8]) throws(JSONParser.Failure) {
        self.nodes = try JSONParser.nodes(of: bytes)
        self.bytes = bytes
    }

    /// The document's top-level value.
    public var root: JSONNode { JSONNode(document: self, index: 0) }

    enum Kind: UInt8 {
        case null, `true`, `false`, number, string, array, object
    }

    /// One value. Its children follow it: an object's members as name and value, an array's elements;
    /// `next` is the index after its last descendant.
    struct Node {
        /// Strings: the first byte after the opening quote. Numbers and literals: their first byte.
        var start: UInt32
        /// Strings: the closing quote. Numbers and literals: the byte after them. Objects and arrays:
        /// how many members (as written, a repeated name each time) or elements.
        var end: UInt32
        var next: UInt32
        var kind: Kind
        /// Strings: `escaped`, `nonASCII`.
        var flags: UInt8

        static let escaped: UInt8 = 1
        static let nonASCII: UInt8 = 2
    }

    static func hexDigit(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}

/// One value in a `JSONDocument`.
public struct JSONNode: Sendable, Equatable, CustomStringConvertible {
    let document: JSONDocument
    let index: Int

    private var node: JSONDocument.Node { document.nodes[index] }

    /// Whether this is JSON null.
    public var isNull: Bool { node.kind == .null }
    public var isObject: Bool { node.kind == .object }
    public var isArray: Bool { node.kind == .array }

    /// A short name of the JSON kind, for error messages (as `JSONValue.kindName`).
    public var kindName: String {
        switch node.kind {
        case .null: "null"
        case .true, .false: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// The text, when this is a string.
    public var string: String? {
        let node = self.node
        guard node.kind == .string else { return nil }
        return document.bytes.withUnsafeBufferPointer { Self.text(of: node, in: $0) }
    }

    /// The text without leading and trailing spaces and tabs, when this is a string (trimmed in the
    /// source bytes, so the string is made once).
    public var stringTrimmedOfSpaces: String? {
        let node = self.node
        guard node.kind == .string else { return nil }
        guard node.flags & JSONDocument.Node.escaped == 0 else { return string?.trimmedOfSpaces }
        return document.bytes.withUnsafeBufferPointer { bytes in
            var start = Int(node.start)
            var end = Int(node.end)
            while start < end && (bytes[start] == 0x20 || bytes[start] == 0x09) { start += 1 }
            while end > start && (bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09) { end -= 1 }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        }
    }

    /// The number as written, when this is a number.
    public var numberText: String? {
        let node = self.node
        guard node.kind == .number else { return nil }
        return String(decoding: document.bytes[Int(node.start)..<Int(node.end)], as: UTF8.self)
    }

    /// The value of the last member with this name (a repeated name replaces the earlier member, as in
    /// `JSONValue`), when this is an object.
    public subscript(name: String) -> JSONNode? {
        let object = self.node
        guard object.kind == .object else { return nil }
        var name = name
        let found = name.withUTF8 { wanted in
            document.nodes.withUnsafeBufferPointer { nodes in
                document.bytes.withUnsafeBufferPointer { bytes in
                    Self.lastMember(of: index, named: wanted, nodes: nodes, bytes: bytes)
                }
            }
        }
        return found.map { JSONNode(document: document, index: $0) }
    }

    /// The elements, when this is an array (else none).
    public var elements: [JSONNode] {
        let array = self.node
        guard array.kind == .array else { return [] }
        var items: [JSONNode] = []
        items.reserveCapacity(Int(array.end))
        var element = index + 1
        while element < Int(array.next) {
            items.append(JSONNode(document: document, index: element))
            element = Int(document.nodes[element].next)
        }
        return items
    }

    /// The value as a `JSONValue` tree.
    public var value: JSONValue {
        document.bytes.withUnsafeBufferPointer { bytes in Self.value(at: index, of: document.nodes, in: bytes) }
    }

    /// The value as compact JSON with sorted keys: the same bytes as `value.jsonBytes`, mostly copied
    /// from the source.
    public func write(into output: inout [UInt8]) {
        document.bytes.withUnsafeBufferPointer { bytes in Self.write(index, of: document.nodes, in: bytes, into: &output) }
    }

    /// `write` as text.
    public var jsonString: String {
        var output: [UInt8] = []
        output.reserveCapacity(Int(node.kind == .object || node.kind == .array ? document.bytes.count : 16))
        write(into: &output)
        return String(decoding: output, as: UTF8.self)
    }

    public var description: String { jsonString }

    /// Equal when their values are (as `JSONValue` compares them).
    public static func == (lhs: JSONNode, rhs: JSONNode) -> Bool { lhs.value == rhs.value }
}

extension JSONNode {
    fileprivate typealias Nodes = [JSONDocument.Node]
    fileprivate typealias Bytes = UnsafeBufferPointer<UInt8>

    /// The index of the value of the last member named `wanted` in the object at `index`. Names without
    /// escapes or bytes beyond ASCII are compared byte for byte; others as strings, as `JSONObject`
    /// compares names.
    private static func lastMember(
        of index: Int, named wanted: UnsafeBufferPointer<UInt8>, nodes: UnsafeBufferPointer<JSONDocument.Node>, bytes: Bytes
    ) -> Int? {
        var plainName = true
        for byte in wanted where byte >= 0x80 { plainName = false }
        let length = UInt32(wanted.count)
        var found: Int?
        var key = index + 1
        let end = Int(nodes[index].next)
        while key < end {
            let node = nodes[key]
            if node.flags == 0 && plainName {
                if node.end - node.start == length
                    && (length == 0 || (bytes[Int(node.start)] == wanted[0] && memcmp(bytes.baseAddress! + Int(node.start), wanted.baseAddress!, Int(length)) == 0))
                {
                    found = key + 1
                }
            } else if text(of: node, in: bytes) == String(decoding: wanted, as: UTF8.self) {
                found = key + 1
            }
            key = Int(nodes[key + 1].next)
        }
        return found
    }

    /// A string node's text, its escapes resolved (the parser has checked them).
    static func text(of node: JSONDocument.Node, in bytes: UnsafeBufferPointer<UInt8>) -> String {
        let start = Int(node.start)
        let end = Int(node.end)
        guard node.flags & JSONDocument.Node.escaped != 0 else {
            return String(decoding: Bytes(rebasing: bytes[start..<end]), as: UTF8.self)
        }
        var scalars: [UInt8] = []
        scalars.reserveCapacity(end - start)
        var index = start
        func hex4() -> UInt32 {
            var value: UInt32 = 0
            for offset in 0..<4 { value = value << 4 | (JSONDocument.hexDigit(bytes[index + offset]) ?? 0) }
            index += 4
            return value
        }
        while index < end {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "\\") else {
                scalars.append(byte)
                index += 1
                continue
            }
            let escape = bytes[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "b"): scalars.append(0x08)
            case UInt8(ascii: "f"): scalars.append(0x0C)
            case UInt8(ascii: "n"): scalars.append(0x0A)
            case UInt8(ascii: "r"): scalars.append(0x0D)
            case UInt8(ascii: "t"): scalars.append(0x09)
            case UInt8(ascii: "u"):
                var code = hex4()
                if (0xD800...0xDBFF).contains(code) {
                    index += 2
                    code = 0x10000 + ((code - 0xD800) << 10) + (hex4() - 0xDC00)
                }
                scalars.append(contentsOf: String(Character(Unicode.Scalar(code) ?? "\u{FFFD}")).utf8)
            default: scalars.append(escape)  // ", \ and /
            }
        }
        return String(decoding: scalars, as: UTF8.self)
    }

    private static func value(at index: Int, of nodes: Nodes, in bytes: Bytes) -> JSONValue {
        let node = nodes[index]
        switch node.kind {
        case .null: return .null
        case .true: return .bool(true)
        case .false: return .bool(false)
        case .number: return .number(String(decoding: Bytes(rebasing: bytes[Int(node.start)..<Int(node.end)]), as: UTF8.self))
        case .string: return .string(text(of: node, in: bytes))
        case .array:
            var items: [JSONValue] = []
            items.reserveCapacity(Int(node.end))
            var element = index + 1
            while element < Int(node.next) {
                items.append(value(at: element, of: nodes, in: bytes))
                element = Int(nodes[element].next)
            }
            return .array(items)
        case .object:
            var members: [JSONObject.Element] = []
            members.reserveCapacity(Int(node.end))
            // A repeated name replaces the earlier member. Small objects are scanned for it; past
            // `indexedFrom` members the names are indexed, so a huge object cannot make this quadratic.
            let indexedFrom = 16
            var positions: [String: Int] = [:]
            var key = index + 1
            while key < Int(node.next) {
                let name = text(of: nodes[key], in: bytes)
                let member = value(at: key + 1, of: nodes, in: bytes)
                let existing = members.count > indexedFrom ? positions[name] : members.firstIndex { $0.key == name }
                if let existing {
                    members[existing].value = member
                } else {
                    members.append((key: name, value: member))
                    if members.count == indexedFrom + 1 {
                        for (offset, element) in members.enumerated() { positions[element.key] = offset }
                    } else if members.count > indexedFrom + 1 {
                        positions[name] = members.count - 1
                    }
                }
                key = Int(nodes[key + 1].next)
            }
            return .object(JSONObject(distinct: members))
        }
    }

    private static func write(_ index: Int, of nodes: Nodes, in bytes: Bytes, into output: inout [UInt8]) {
        let node = nodes[index]
        switch node.kind {
        case .null: output.append(contentsOf: "null".utf8)
        case .true: output.append(contentsOf: "true".utf8)
        case .false: output.append(contentsOf: "false".utf8)
        case .number: output.append(contentsOf: Bytes(rebasing: bytes[Int(node.start)..<Int(node.end)]))
        case .string:
            if node.flags & JSONDocument.Node.escaped != 0 {
                JSONValue.writeString(text(of: node, in: bytes), into: &output)
            } else {
                // Unescaped source text has no quote, backslash or control character: nothing to escape.
                output.append(UInt8(ascii: "\""))
                output.append(contentsOf: Bytes(rebasing: bytes[Int(node.start)..<Int(node.end)]))
                output.append(UInt8(ascii: "\""))
            }
        case .array:
            output.append(UInt8(ascii: "["))
            var element = index + 1
            while element < Int(node.next) {
                if element > index + 1 { output.append(UInt8(ascii: ",")) }
                write(element, of: nodes, in: bytes, into: &output)
                element = Int(nodes[element].next)
            }
            output.append(UInt8(ascii: "]"))
        case .object:
            writeObject(index, of: nodes, in: bytes, into: &output)
        }
    }

    /// An object with its members sorted by name, a repeated name once with its last value: as
    /// `JSONValue` writes it. Names with escapes or bytes beyond ASCII sort and compare as strings do
    /// there, so such an object is written through its tree.
    private static func writeObject(_ index: Int, of nodes: Nodes, in bytes: Bytes, into output: inout [UInt8]) {
        let object = nodes[index]
        var keys: [Int] = []
        keys.reserveCapacity(Int(object.end))
        var key = index + 1
        while key < Int(object.next) {
            if nodes[key].flags != 0 {
                value(at: index, of: nodes, in: bytes).write(into: &output)
                return
            }
            keys.append(key)
            key = Int(nodes[key + 1].next)
        }
        func compare(_ a: Int, _ b: Int) -> Int {
            let left = nodes[a]
            let right = nodes[b]
            let leftLength = Int(left.end - left.start)
            let rightLength = Int(right.end - right.start)
            let common = min(leftLength, rightLength)
            let order = common == 0 ? 0 : memcmp(bytes.baseAddress! + Int(left.start), bytes.baseAddress! + Int(right.start), common)
            return order != 0 ? Int(order) : leftLength - rightLength
        }
        // Stable, so that among equal names the last one written stays last. The handful of members of
        // event data (often in order already) take an insertion sort; a large object a full sort.
        if keys.count <= 32 {
            for position in keys.indices.dropFirst() {
                let moving = keys[position]
                var slot = position
                while slot > 0 && compare(keys[slot - 1], moving) > 0 {
                    keys[slot] = keys[slot - 1]
                    slot -= 1
                }
                keys[slot] = moving
            }
        } else {
            keys = keys.enumerated().sorted { lhs, rhs in
                let order = compare(lhs.element, rhs.element)
                return order != 0 ? order < 0 : lhs.offset < rhs.offset
            }.map(\.element)
        }
        output.append(UInt8(ascii: "{"))
        var first = true
        for (position, key) in keys.enumerated() {
            if position + 1 < keys.count && compare(key, keys[position + 1]) == 0 { continue }
            if !first { output.append(UInt8(ascii: ",")) }
            first = false
            write(key, of: nodes, in: bytes, into: &output)
            output.append(UInt8(ascii: ":"))
            write(key + 1, of: nodes, in: bytes, into: &output)
        }
        output.append(UInt8(ascii: "}"))
    }
}
