/// A stable 64-bit fingerprint of bytes, to tell an exact repeat of an event from a different event
/// under the same id. Not cryptographic: it guards against mistakes, not against an adversary. Stable
/// across runs and processes on little-endian machines (every platform billingd supports).
public enum ContentFingerprint {
    /// The fingerprint of `bytes`: FNV-1a's constants over 8-byte words, with a final mix.
    public static func of(_ bytes: [UInt8]) -> Int64 {
        bytes.withUnsafeBytes { raw in
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(raw.count)
            var index = 0
            while index + 8 <= raw.count {
                hash = (hash ^ raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)) &* 0x0000_0100_0000_01b3
                hash ^= hash >> 29
                index += 8
            }
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while index < raw.count {
                tail |= UInt64(raw[index]) << shift
                shift += 8
                index += 1
            }
            hash = (hash ^ tail) &* 0x0000_0100_0000_01b3
            hash ^= hash >> 32
            hash = hash &* 0xff51_afd7_ed55_8ccd
            hash ^= hash >> 33
            return Int64(bitPattern: hash)
        }
    }
}

extension Fulfilment {
    /// What makes two shipments with one id the same shipment: order, customer, ship date and the
    /// quantity of each line (in line id order, quantities in their canonical form).
    public var fingerprint: String {
        let lines = lines.sorted { $0.lineID < $1.lineID }.map { "\($0.lineID)=\(Self.canonical($0.quantity))" }.joined(separator: ";")
        return "order=\(orderID)|customer=\(customerID)|ship_date=\(shipDate)|lines=\(lines)"
    }

    /// A quantity without trailing zeros after the point, so 2, 2.0 and 2.000 are one quantity.
    private static func canonical(_ quantity: Decimal64) -> String {
        var text = quantity.description
        guard text.contains(".") else { return text }
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}

extension EventRejection {
    /// A business key that arrived before with other content: the first version stands.
    ///
    /// - Parameters:
    ///   - key: what repeated, e.g. "shipment S-1".
    ///   - storedEventKey: the event (`source#id`) the first version came in, when the store knows it.
    ///   - eventKey: this event's `source#id`.
    ///   - difference: what differs, in words.
    public static func conflictingDuplicate(_ key: String, storedEventKey: String?, eventKey: String, difference: String) -> EventRejection {
        .rejected(
            .conflictingDuplicate,
            detail: "\(key) was processed before from event \(storedEventKey ?? "(not recorded)") with other content; "
                + "event \(eventKey) differs (\(difference)); the first version stands")
    }
}
