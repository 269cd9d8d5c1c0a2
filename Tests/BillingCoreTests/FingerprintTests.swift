import BillingCore
import Testing

@Suite("Telling exact repeats from conflicting duplicates")
struct FingerprintTests {
    @Test("a shipment's fingerprint ignores line order and trailing zeros, and sees every quantity, line, date and party")
    func shipmentFingerprint() throws {
        let base = try Fulfilment(data: Sample.shipment("S-1", lines: [("1", "2"), ("2", "1.5")]))
        let reordered = try Fulfilment(data: Sample.shipment("S-1", lines: [("2", "1.50"), ("1", "2.0")]))
        #expect(base.fingerprint == reordered.fingerprint)
        let others = [
            try Fulfilment(data: Sample.shipment("S-1", lines: [("1", "1"), ("2", "1.5")])),
            try Fulfilment(data: Sample.shipment("S-1", lines: [("1", "2")])),
            try Fulfilment(data: Sample.shipment("S-1", lines: [("1", "2"), ("3", "1.5")])),
            try Fulfilment(data: Sample.shipment("S-1", order: "O-2", lines: [("1", "2"), ("2", "1.5")])),
            try Fulfilment(data: Sample.shipment("S-1", customer: "C-2", lines: [("1", "2"), ("2", "1.5")])),
            try Fulfilment(data: Sample.shipment("S-1", lines: [("1", "20"), ("2", "1.5")])),
        ]
        for other in others { #expect(other.fingerprint != base.fingerprint, "\(other.fingerprint)") }
    }

    @Test("the byte fingerprint is the same for the same bytes and changes with any one byte, at any position and length")
    func byteFingerprint() {
        var seen: Set<Int64> = []
        for length in [0, 1, 7, 8, 9, 63, 64, 65, 1000] {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            let fingerprint = ContentFingerprint.of(bytes)
            #expect(ContentFingerprint.of(Array(bytes)) == fingerprint)
            #expect(seen.insert(fingerprint).inserted, "length \(length) collides with a shorter input")
            for position in stride(from: 0, to: length, by: max(1, length / 13)) {
                var changed = bytes
                changed[position] ^= 0x01
                #expect(ContentFingerprint.of(changed) != fingerprint, "a flip at \(position) of \(length) went unnoticed")
            }
        }
    }

    @Test("order.placed with an existing id: the same order is unchanged, another is a conflict")
    func orderPlacement() throws {
        let order = try Order(data: Sample.order(lines: [Sample.line("1", qty: "2", price: "10")]), defaultPaymentTermDays: 30)
        let record = OrderRecord(order: order)
        #expect(OrderDecisions.place(order, existing: record) == .unchanged)
        let other = try Order(data: Sample.order(lines: [Sample.line("1", qty: "3", price: "10")]), defaultPaymentTermDays: 30)
        #expect(OrderDecisions.place(other, existing: record) == .conflict)
        #expect(OrderDecisions.place(other, existing: nil) == .record(OrderRecord(order: other)))
    }
}
