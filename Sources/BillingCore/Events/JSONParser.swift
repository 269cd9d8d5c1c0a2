import Foundation

/// A strict JSON (RFC 8259) parser, keeping numbers as their source text.
///
/// It exists because decoding through `Decodable` is slow for untyped documents and turns numbers into
/// binary or decimal values; billing needs the exact text. Input must already be valid UTF-8.
///
/// It reads a document into a `JSONDocument`: the source bytes and one flat list of nodes, with no
/// string made and nothing allocated per value. `parse` builds the `JSONValue` tree from that.
public struct JSONParser {
    /// Why a document is not JSON, with the byte offset.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public let offset: Int
        public let reason: String
        public var description: String { "\(reason) at byte \(offset)" }
    }

    /// Nesting deeper than this is refused.
    public static let maxDepth = 64

    /// Parses one JSON document into a tree.
    ///
    /// - Throws: `JSONParser.Failure` naming the first problem and its byte offset.
    public static func parse(_ bytes: [UInt8]) throws(Failure) -> JSONValue {
        try JSONDocument(parsing: bytes).root.value
    }

    /// The nodes of a document, in document order (see `JSONDocument.Node`).
    static func nodes(of bytes: [UInt8]) throws(Failure) -> [JSONDocument.Node] {
        guard bytes.count < Int(UInt32.max) else { throw Failure(offset: 0, reason: "document larger than 4 GiB") }
        return try bytes.withUnsafeBufferPointer { (buffer) throws(Failure) -> [JSONDocument.Node] in
            var parser = Cursor(bytes: buffer)
            // About one node per eight bytes in event payloads: one growth at most, usually none.
            parser.nodes.reserveCapacity(buffer.count / 8 + 4)
            parser.skipWhitespace()
            try parser.value(depth: 0)
            parser.skipWhitespace()
            guard parser.index == buffer.count else { throw parser.fail("unexpected data after the JSON value") }
            return parser.nodes
        }
    }

    struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0
        var nodes: [JSONDocument.Node] = []

        func fail(_ reason: String) -> Failure { Failure(offset: index, reason: reason) }

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        /// Appends a node without children (its `next` is the node after it).
        mutating func leaf(_ kind: JSONDocument.Kind, start: Int, end: Int, flags: UInt8 = 0) {
            nodes.append(JSONDocument.Node(start: UInt32(start), end: UInt32(end), next: UInt32(nodes.count + 1), kind: kind, flags: flags))
        }

        mutating func value(depth: Int) throws(Failure) {
            guard depth <= JSONParser.maxDepth else { throw fail("nesting deeper than \(JSONParser.maxDepth)") }
            guard let byte = current else { throw fail("unexpected end of input") }
            switch byte {
            case UInt8(ascii: "{"): try object(depth: depth)
            case UInt8(ascii: "["): try array(depth: depth)
            case UInt8(ascii: "\""): try string()
            case UInt8(ascii: "t"): try literal("true", .true)
            case UInt8(ascii: "f"): try literal("false", .false)
            case UInt8(ascii: "n"): try literal("null", .null)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
            default: throw fail("unexpected character '\(Character(Unicode.Scalar(byte)))'")
            }
        }

        mutating func literal(_ word: StaticString, _ kind: JSONDocument.Kind) throws(Failure) {
            let length = word.utf8CodeUnitCount
            guard index + length <= bytes.count else { throw fail("unexpected end of input") }
            for offset in 0..<length where bytes[index + offset] != word.utf8Start[offset] {
                throw fail("invalid literal")
            }
            leaf(kind, start: index, end: index + length)
            index += length
        }

        /// An object: its node, then per member the name's string node and the value's nodes. The node's
        /// `end` counts the members as written (a repeated name counts each time).
        mutating func object(depth: Int) throws(Failure) {
            let node = nodes.count
            leaf(.object, start: index, end: 0)
            index += 1
            var count: UInt32 = 0
            skipWhitespace()
            if current == UInt8(ascii: "}") {
                index += 1
                return
            }
            while true {
                skipWhitespace()
                guard current == UInt8(ascii: "\"") else { throw fail("expected a member name") }
                try string()
                skipWhitespace()
                guard current == UInt8(ascii: ":") else { throw fail("expected ':'") }
                index += 1
                skipWhitespace()
                try value(depth: depth + 1)
                count += 1
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "}"):
                    index += 1
                    nodes[node].end = count
                    nodes[node].next = UInt32(nodes.count)
                    try checkDistinctNames(object: node)
                    return
                default: throw fail("expected ',' or '}'")
                }
            }
        }

        /// Refuses an object that names a member twice: which of two values counts is not a guess
        /// billing should make. Each name sets one bit of a 64-bit filter by its length and some of its
        /// bytes; only a name whose bit is set already is compared with the names before it, so the usual
        /// object costs one pass. Names with escapes or bytes beyond ASCII compare as strings.
        mutating func checkDistinctNames(object: Int) throws(Failure) {
            guard nodes[object].end > 1 else { return }
            let end = Int(nodes[object].next)
            var filter: UInt64 = 0
            // After a name with escapes or bytes beyond ASCII, whose raw bytes say nothing about its text,
            // every later name is compared with all before it.
            var compareAll = false
            var name = object + 1
            while name < end {
                let node = nodes[name]
                let length = Int(node.end - node.start)
                var mix = UInt64(truncatingIfNeeded: length) &* 0x9E37_79B9
                if length > 0 {
                    mix ^= UInt64(bytes[Int(node.start)]) << 8 ^ UInt64(bytes[Int(node.end) - 1]) << 16 ^ UInt64(bytes[Int(node.start) + length / 2]) << 24
                }
                let bit: UInt64 = 1 << ((mix ^ mix >> 29 ^ mix >> 13) & 63)
                if node.flags != 0 { compareAll = true }
                if filter & bit != 0 || compareAll {
                    var earlier = object + 1
                    while earlier < name {
                        if sameName(nodes[earlier], node) {
                            let text = String(JSONNode.text(of: node, in: bytes).prefix(64))
                            throw Failure(offset: Int(node.start), reason: "member name '\(text)' repeated in one object")
                        }
                        earlier = Int(nodes[earlier + 1].next)
                    }
                }
                filter |= bit
                name = Int(nodes[name + 1].next)
            }
        }

        func sameName(_ left: JSONDocument.Node, _ right: JSONDocument.Node) -> Bool {
            if left.flags == 0 && right.flags == 0 {
                let length = Int(left.end - left.start)
                guard length == Int(right.end - right.start) else { return false }
                return length == 0 || memcmp(bytes.baseAddress! + Int(left.start), bytes.baseAddress! + Int(right.start), length) == 0
            }
            return JSONNode.text(of: left, in: bytes) == JSONNode.text(of: right, in: bytes)
        }

        /// An array: its node, then its elements' nodes; `end` counts the elements.
        mutating func array(depth: Int) throws(Failure) {
            let node = nodes.count
            leaf(.array, start: index, end: 0)
            index += 1
            var count: UInt32 = 0
            skipWhitespace()
            if current == UInt8(ascii: "]") {
                index += 1
                return
            }
            while true {
                skipWhitespace()
                try value(depth: depth + 1)
                count += 1
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "]"):
                    index += 1
                    nodes[node].end = count
                    nodes[node].next = UInt32(nodes.count)
                    return
                default: throw fail("expected ',' or ']'")
                }
            }
        }

        mutating func number() throws(Failure) {
            let start = index
            if current == UInt8(ascii: "-") { index += 1 }
            guard let first = current, isDigit(first) else { throw fail("invalid number") }
            index += 1
            if first != UInt8(ascii: "0") {
                while let byte = current, isDigit(byte) { index += 1 }
            }
            if current == UInt8(ascii: ".") {
                index += 1
                guard let byte = current, isDigit(byte) else { throw fail("invalid number") }
                while let byte = current, isDigit(byte) { index += 1 }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                index += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
                guard let byte = current, isDigit(byte) else { throw fail("invalid number") }
                while let byte = current, isDigit(byte) { index += 1 }
            }
            leaf(.number, start: start, end: index)
        }

        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

        /// A string: checked here, escapes and all; its node spans the text between the quotes and says
        /// whether it has escapes or bytes beyond ASCII (`JSONDocument.Node.flags`).
        mutating func string() throws(Failure) {
            index += 1
            let start = index
            var high: UInt8 = 0
            var flags: UInt8 = 0
            while true {
                guard index < bytes.count else { throw fail("unterminated string") }
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\""):
                    if high >= 0x80 { flags |= JSONDocument.Node.nonASCII }
                    leaf(.string, start: start, end: index, flags: flags)
                    index += 1
                    return
                case UInt8(ascii: "\\"):
                    flags |= JSONDocument.Node.escaped
                    index += 1
                    guard let escape = current else { throw fail("unterminated string") }
                    index += 1
                    switch escape {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"),
                        UInt8(ascii: "r"), UInt8(ascii: "t"):
                        break
                    case UInt8(ascii: "u"):
                        let code = try hex4()
                        if (0xD800...0xDBFF).contains(code) {
                            guard current == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") else {
                                throw fail("lone surrogate in \\u escape")
                            }
                            index += 2
                            let low = try hex4()
                            guard (0xDC00...0xDFFF).contains(low) else { throw fail("invalid surrogate pair") }
                        } else if (0xDC00...0xDFFF).contains(code) {
                            throw fail("lone surrogate in \\u escape")
                        }
                    default: throw fail("invalid escape")
                    }
                default:
                    if byte < 0x20 { throw fail("control character in a string") }
                    high |= byte
                    index += 1
                }
            }
        }

        mutating func hex4() throws(Failure) -> UInt32 {
            guard index + 4 <= bytes.count else { throw fail("short \\u escape") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard let digit = JSONDocument.hexDigit(bytes[index]) else { throw fail("invalid \\u escape") }
                value = value << 4 | digit
                index += 1
            }
            return value
        }
    }
}
