import BillingCore
import Foundation
import Testing

/// Input is taken exactly as documented: anything looser is rejected with the field and the reason.
@Suite("Strict input")
struct StrictInputTests {
    let decoder = EnvelopeDecoder(maxPayloadBytes: 100_000)

    static let paymentData = #"{"payment_id":"P-1","customer_id":"C-1","amount":"5.00","currency":"EUR","received_date":"2026-11-25","references":[]}"#

    func envelope(type: String = "payment.received", data: String, extra: String = "") -> [UInt8] {
        Array(#"{"specversion":"1.0","id":"e1","source":"/t","type":"\#(type)"\#(extra),"data":\#(data)}"#.utf8)
    }

    /// The rejection of a payment whose data has `field` set to `value` (JSON text), or nil when accepted.
    func paymentRejection(_ field: String, _ value: String) -> EventRejection? {
        var object = try! JSONParser.parse(Array(Self.paymentData.utf8))
        guard case .object(var members) = object else { return nil }
        members[field] = try! JSONParser.parse(Array(value.utf8))
        object = .object(members)
        do {
            let decoded = try decoder.decode(envelope(data: object.jsonString))
            _ = try PaymentReceived(data: decoded.dataNode)
            return nil
        } catch let error as EnvelopeFailure {
            return error.rejection
        } catch let error as DataError {
            return .invalidData(type: "payment.received", detail: error.description)
        } catch {
            return .invalidData(type: "payment.received", detail: "\(error)")
        }
    }

    @Test("the untouched payment is accepted")
    func baseline() {
        #expect(paymentRejection("amount", #""5.00""#) == nil)
        #expect(paymentRejection("amount", #""9999999999999.99""#) == nil, "the largest amount")
    }

    @Test("amounts must match -?[0-9]+(.[0-9]+)? exactly, within the maximum", arguments: [
        #"" 5.00""#, #""5.00 ""#, #""+5.00""#, #""5e2""#, #""5.""#, #"".5""#, #""5,00""#, #""0x10""#, #""""#, #""5.001""#,
        #""92233720368547758.07""#, #""10000000000000.00""#, "5", #""-""#, #""1 000""#,
    ])
    func badAmounts(_ amount: String) {
        let rejection = paymentRejection("amount", amount)
        #expect(rejection?.code == "invalid_data", "\(amount): \(String(describing: rejection))")
        #expect(rejection?.description.contains("amount") == true, "names the field: \(String(describing: rejection))")
    }

    @Test("dates are YYYY-MM-DD calendar dates that exist", arguments: [
        #""2026-11-25 ""#, #"" 2026-11-25""#, #""2026-11-31""#, #""2026-02-29""#, #""2026-13-01""#, #""2026-1-05""#, #""20261125""#,
        #""2026-11-25T00:00:00Z""#,
    ])
    func badDates(_ date: String) {
        #expect(paymentRejection("received_date", date)?.code == "invalid_data", "\(date)")
    }

    @Test("leap days exist in leap years only")
    func leapDay() {
        #expect(paymentRejection("received_date", #""2028-02-29""#) == nil)
        #expect(paymentRejection("received_date", #""2100-02-29""#)?.code == "invalid_data")
    }

    @Test("identifiers are taken as sent: surrounding white space is refused, not trimmed")
    func identifiers() {
        #expect(paymentRejection("payment_id", #"" P-1""#)?.code == "invalid_data")
        #expect(paymentRejection("customer_id", #""C-1\t""#)?.code == "invalid_data")
        #expect(paymentRejection("currency", #""EUR ""#)?.code == "invalid_data")
    }

    @Test("times are RFC 3339 with real hours, minutes, seconds, days and offsets", arguments: [
        "2026-11-22T25:00:00Z", "2026-11-22T10:60:00Z", "2026-11-22T10:15:61Z", "2026-02-30T10:15:00Z", "2026-11-22 10:15:00Z",
        "2026-11-22T10:15Z", "2026-11-22T10:15:00", "2026-11-22T10:15:00Z ", " 2026-11-22T10:15:00Z", "2026-11-22T10:15:00+24:00",
        "2026-11-22T10:15:00+01", "2026-11-22T10:15:00.Z", "2026-11-22T10:15:00.1234567890Z", "2026-11-22",
    ])
    func badTimes(_ time: String) {
        #expect(RFC3339.parse(time) == nil, "\(time)")
        do {
            _ = try decoder.decode(envelope(data: Self.paymentData, extra: #","time":"\#(time)""#))
            Issue.record("\(time) was accepted")
        } catch {
            #expect(error.rejection.code == "invalid_attribute")
        }
    }

    @Test("valid times give the right instant", arguments: [
        ("2026-11-22T10:15:00Z", 1_795_342_500.0), ("2026-11-22t10:15:00z", 1_795_342_500.0), ("2026-11-22T11:15:00+01:00", 1_795_342_500.0),
        ("2026-11-22T05:45:00-04:30", 1_795_342_500.0), ("2026-11-22T10:15:00.25Z", 1_795_342_500.25),
        ("2026-11-22T10:15:00.000000001Z", 1_795_342_500.000000001), ("2016-12-31T23:59:60Z", 1_483_228_800.0),
        ("2028-02-29T00:00:00Z", 1_835_395_200.0),
    ])
    func goodTimes(_ time: String, _ seconds: Double) throws {
        let parsed = try #require(RFC3339.parse(time))
        #expect(abs(parsed.timeIntervalSince1970 - seconds) < 0.000_001, "\(time) → \(parsed.timeIntervalSince1970)")
        #expect(RFC3339.parse(RFC3339.format(parsed)).map { abs($0.timeIntervalSince(parsed)) < 0.001 } == true, "round trip")
    }

    @Test("an object naming a member twice is not accepted, at any depth and however the name is written", arguments: [
        #"{"a":1,"a":2}"#, #"{"a":1,"b":2,"a":3}"#, #"{"x":{"k":1,"k":1}}"#, #"[{"k":1},{"k":1,"k":2}]"#, #"{"a":1,"\u0061":2}"#,
        #"{"é":1,"\u00e9":2}"#, #"{"":1,"":2}"#,
    ])
    func duplicateNames(_ json: String) {
        #expect(throws: JSONParser.Failure.self, "\(json)") { try JSONParser.parse(Array(json.utf8)) }
    }

    @Test("objects with many distinct names, and equal names in different objects, are fine")
    func distinctNames() throws {
        let many = "{" + (0..<300).map { "\"member\($0)\":\($0)" }.joined(separator: ",") + "}"
        guard case .object(let members) = try JSONParser.parse(Array(many.utf8)) else { Issue.record("not an object"); return }
        #expect(members.count == 300)
        _ = try JSONParser.parse(Array(#"[{"k":1},{"k":2},{"a":{"k":3},"k":4}]"#.utf8))
    }

    @Test("a duplicate member in an event is rejected as not_json, in the envelope and in its data")
    func duplicateInEvent() {
        for payload in [
            #"{"specversion":"1.0","id":"e1","id":"e2","source":"/t","type":"payment.received","data":{}}"#,
            String(decoding: envelope(data: #"{"payment_id":"P-1","amount":"5.00","amount":"500.00"}"#), as: UTF8.self),
        ] {
            do {
                _ = try decoder.decode(Array(payload.utf8))
                Issue.record("accepted: \(payload)")
            } catch {
                #expect(error.rejection.code == "not_json")
                #expect(error.rejection.description.contains("repeated"))
            }
        }
    }

    @Test("quantities and unit prices have upper bounds")
    func quantityBounds() throws {
        let shipment = { (quantity: String) in
            #"{"shipment_id":"S","order_id":"O","customer_id":"C","ship_date":"2026-11-21","lines":[{"line_id":"1","quantity":"\#(quantity)"}]}"#
        }
        _ = try Fulfilment(data: try JSONDocument(parsing: Array(shipment("1000000000").utf8)).root)
        #expect(throws: DataError.self) { try Fulfilment(data: try JSONDocument(parsing: Array(shipment("1000000000.0001").utf8)).root) }
        let order = { (price: String, quantity: String) in
            #"{"order_id":"O","customer_id":"C","currency":"EUR","order_date":"2026-11-20","lines":[{"line_id":"1","quantity":"\#(quantity)","unit_price":"\#(price)","tax_rate":"19"}]}"#
        }
        _ = try Order(data: try JSONDocument(parsing: Array(order("999999999999.99", "10").utf8)).root, defaultPaymentTermDays: 30)
        #expect(throws: DataError.self) { try Order(data: try JSONDocument(parsing: Array(order("1000000000000", "1").utf8)).root, defaultPaymentTermDays: 30) }
        #expect(throws: DataError.self, "the line's amount is beyond the maximum") {
            try Order(data: try JSONDocument(parsing: Array(order("999999999999.99", "11").utf8)).root, defaultPaymentTermDays: 30)
        }
    }
}
