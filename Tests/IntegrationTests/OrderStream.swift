import Foundation
import TestSupport

/// A reproducible stream of order, shipment and payment events, with what billingd must make of it.
///
/// Orders have 1–3 lines at 19 %, 7 % or 0 % (Z); a third ship in one go, a third in two partial
/// shipments, the rest only partly; every seventh shipment is delivered twice (a new event id, the
/// same shipment id), every eleventh order's first shipment comes *before* the order, and every fifth
/// order gets a payment referencing it. Keys are customer ids, so one customer's events stay in order.
struct OrderStream {
    struct Line {
        let id: String
        let quantity: Int
        /// Unit price in cents.
        let priceCents: Int
        let rate: String
    }

    struct Order {
        let id: String
        let customer: String
        let lines: [Line]
    }

    /// `key:value` lines for kcat, in production order.
    var records: [String] = []
    /// Every distinct shipment id and the order it belongs to.
    var shipments: [String: String] = [:]
    /// Quantities shipped per order line ("O-1/2" → 3).
    var shippedQuantities: [String: Int] = [:]
    var orders: [Order] = []
    var duplicateDeliveries = 0
    var earlyShipments = 0
    var payments = 0

    init(orders count: Int, seed: UInt64 = 42) {
        var random = SplitMix(seed: seed)
        for index in 0..<count {
            let customer = "C-\(index % 97)"
            let orderID = "O-\(index)"
            let lines = (1...Int(random.next() % 3 + 1)).map { number in
                Line(id: "\(number)", quantity: Int(random.next() % 5 + 1), priceCents: Int(random.next() % 20_000 + 1),
                     rate: ["19", "7", "0"][Int(random.next() % 3)])
            }
            let order = Order(id: orderID, customer: customer, lines: lines)
            orders.append(order)
            var shipmentRecords: [String] = []
            let plan = index % 3
            var shipmentNumber = 0
            func ship(_ quantities: [(Line, Int)]) {
                let quantities = quantities.filter { $0.1 > 0 }
                guard !quantities.isEmpty else { return }
                shipmentNumber += 1
                let shipmentID = "S-\(index)-\(shipmentNumber)"
                shipments[shipmentID] = orderID
                for (line, quantity) in quantities { shippedQuantities["\(orderID)/\(line.id)", default: 0] += quantity }
                let lineJSON = quantities.map { #"{"line_id":"\#($0.0.id)","quantity":"\#($0.1)"}"# }.joined(separator: ",")
                let data = #"{"shipment_id":"\#(shipmentID)","order_id":"\#(orderID)","customer_id":"\#(customer)","ship_date":"2026-11-21","lines":[\#(lineJSON)]}"#
                shipmentRecords.append(Self.event(key: customer, id: "ship-\(shipmentID)", type: "order.fulfilled", data: data))
                if shipments.count % 7 == 0 {
                    shipmentRecords.append(Self.event(key: customer, id: "ship-\(shipmentID)-again", type: "order.fulfilled", data: data))
                    duplicateDeliveries += 1
                }
            }
            switch plan {
            case 0: ship(lines.map { ($0, $0.quantity) })
            case 1:
                ship(lines.map { ($0, $0.quantity / 2) })
                ship(lines.map { ($0, $0.quantity - $0.quantity / 2) })
            default: ship(lines.map { ($0, ($0.quantity + 1) / 2) })
            }
            let lineJSON = lines.map {
                #"{"line_id":"\#($0.id)","sku":"SKU-\#($0.id)","description":"Item \#($0.id)","quantity":"\#($0.quantity)","unit_price":"\#(Self.cents($0.priceCents))","tax_rate":"\#($0.rate)"}"#
            }.joined(separator: ",")
            let orderData = #"{"order_id":"\#(orderID)","customer_id":"\#(customer)","currency":"EUR","order_date":"2026-11-20","payment_terms":{"net_days":30},"lines":[\#(lineJSON)]}"#
            let placed = Self.event(key: customer, id: "order-\(orderID)", type: "order.placed", data: orderData)
            if index % 11 == 5, let first = shipmentRecords.first {
                records.append(first)
                records.append(placed)
                records += shipmentRecords.dropFirst()
                earlyShipments += 1
            } else {
                records.append(placed)
                records += shipmentRecords
            }
            if index % 5 == 0 {
                let payment = #"{"payment_id":"P-\#(index)","customer_id":"\#(customer)","amount":"25.00","currency":"EUR","received_date":"2026-11-25","references":["\#(orderID)"]}"#
                records.append(Self.event(key: customer, id: "pay-\(index)", type: "payment.received", data: payment))
                payments += 1
            }
        }
    }

    static func cents(_ value: Int) -> String { "\(value / 100).\(String(format: "%02d", value % 100))" }

    static func event(key: String, id: String, type: String, data: String) -> String {
        #"\#(key):{"specversion":"1.0","id":"\#(id)","source":"/test-shop","type":"\#(type)","data":\#(data)}"#
    }
}

/// A billing event as read back from `billing.events` with kcat.
struct PublishedEvent {
    let id: String
    let type: String
    let data: [String: Any]
    let payload: String

    init?(_ record: KcatRecord) {
        guard let payload = record.payload,
            let object = try? JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any],
            let id = object["id"] as? String, let type = object["type"] as? String, let data = object["data"] as? [String: Any]
        else { return nil }
        self.id = id
        self.type = type
        self.data = data
        self.payload = payload
    }
}

/// Cents from a decimal string with two decimals, computed independently of billingd's code.
func cents(_ text: Any?) -> Int64 {
    guard let text = text as? String, let value = Decimal(string: text) else { return .min }
    return NSDecimalNumber(decimal: value * 100).int64Value
}
