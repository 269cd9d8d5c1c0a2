/// One Kafka record header: a name and an optional byte value.
public struct KafkaHeader: Hashable, Sendable {
    /// The header's name.
    public let name: String
    /// The header's value; `nil` for a header without a value.
    public let value: [UInt8]?

    /// Makes a header from raw bytes.
    public init(name: String, value: [UInt8]?) {
        self.name = name
        self.value = value
    }

    /// Makes a header whose value is the UTF-8 encoding of a string.
    public init(name: String, string: String) {
        self.init(name: name, value: Array(string.utf8))
    }

    /// The value read as UTF-8, or `nil` when there is none or it is not valid UTF-8.
    public var stringValue: String? {
        value.flatMap { String(validating: $0, as: UTF8.self) }
    }
}

extension Array where Element == KafkaHeader {
    /// The value of the last header with this name, read as UTF-8.
    public func string(_ name: String) -> String? {
        last { $0.name == name }?.stringValue
    }
}
