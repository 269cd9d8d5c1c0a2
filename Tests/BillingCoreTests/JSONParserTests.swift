import BillingCore
import Foundation
import Testing

@Suite("JSON parser and writer")
struct JSONParserTests {
    @Test("accepts what Foundation accepts and keeps numbers as written", arguments: [
        #"{"a":1,"b":[true,false,null],"c":{"d":"e"}}"#, #"[]"#, #"{}"#, #" [ 1 , -0.5e+3 , 0 ] "#, #""\u00e9\ud83d\ude00\n\t\"\\\/""#,
        #"{"k":"ünïcødé 🎉"}"#, #"123"#, #"-0"#, #"1E5"#,
    ])
    func accepts(text: String) throws {
        let ours = try JSONParser.parse(Array(text.utf8))
        let foundation = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        // Round trip: what we write, Foundation reads as the same document.
        let rewritten = try JSONSerialization.jsonObject(with: Data(ours.jsonBytes), options: [.fragmentsAllowed])
        #expect(NSDictionary(dictionary: ["v": foundation]).isEqual(to: ["v": rewritten]))
    }

    @Test("rejects what is not JSON", arguments: [
        "", "garbage", "{", "[1,]", "{\"a\":1,}", "01", "1.", ".5", "-", "+1", "\"unterminated", "{\"a\" 1}", "[1 2]", "tru", "nul",
        "\"\\x\"", "\"\\ud800\"", "\"a\u{01}b\"", "{} x", "NaN", "'single'",
    ])
    func rejects(text: String) {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(Array(text.utf8)) }
    }

    @Test("keeps exact number text")
    func exactNumbers() throws {
        #expect(try JSONParser.parse(Array("[0.10, 12345678901234567890.123]".utf8)) == .array([.number("0.10"), .number("12345678901234567890.123")]))
    }

    @Test("a repeated member name is refused, in small objects and in large ones, wherever the repeat is", arguments: [3, 16, 17, 40])
    func repeatedNames(members: Int) throws {
        let names = (0..<members).map { "k\($0)" }
        let distinct = "{" + names.map { "\"\($0)\":\"first-\($0)\"" }.joined(separator: ",") + "}"
        guard case .object(let object) = try JSONParser.parse(Array(distinct.utf8)) else { Issue.record("not an object"); return }
        #expect(object.count == members)
        for repeated in names {
            let text = String(distinct.dropLast()) + ",\"\(repeated)\":\"again\"}"
            #expect(throws: JSONParser.Failure.self, "\(repeated) of \(members)") { try JSONParser.parse(Array(text.utf8)) }
        }
    }

    @Test("objects are equal whatever the order of their members")
    func objectEquality() throws {
        let one = try JSONParser.parse(Array(#"{"a":1,"b":{"c":[1,2],"d":null}}"#.utf8))
        let other = try JSONParser.parse(Array(#"{"b":{"d":null,"c":[1,2]},"a":1}"#.utf8))
        #expect(one == other)
        #expect(one.jsonString == other.jsonString)
        #expect(one != (try JSONParser.parse(Array(#"{"a":1,"b":{"c":[2,1],"d":null}}"#.utf8))))
        #expect(one != (try JSONParser.parse(Array(#"{"a":1}"#.utf8))))
        var object: JSONObject = ["x": .null]
        object["y"] = .bool(true)
        object["x"] = nil
        #expect(JSONValue.object(object) == .object(["y": .bool(true)]))
    }

    @Test("refuses absurd nesting")
    func depth() {
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(Array(deep.utf8)) }
    }

    @Test("writes sorted keys and escapes control characters")
    func writer() {
        let value = JSONValue.object(["b": .string("x\"y\n\u{01}"), "a": .number("1.50")])
        #expect(value.jsonString == #"{"a":1.50,"b":"x\"y\n\u0001"}"#)
    }

    @Test("flat string objects are written like their tree form")
    func stringObjects() {
        let pairs = [("z", "last"), ("a", "fir\"st"), ("m", "")]
        #expect(JSONValue.stringObjectJSON(pairs) == JSONValue.object(JSONObject(Dictionary(uniqueKeysWithValues: pairs.map { ($0.0, JSONValue.string($0.1)) }))).jsonString)
        #expect(JSONValue.stringObjectJSON([]) == "{}")
        let items = ["INV-1", "a\"b", ""]
        #expect(JSONValue.stringArrayJSON(items) == JSONValue.array(items.map(JSONValue.string)).jsonString)
        #expect(JSONValue.stringArrayJSON([]) == "[]")
    }

    @Test("payment documents are written directly, byte for byte like their tree form")
    func paymentDocuments() throws {
        let allocations = [
            PaymentAppliedDocument.Allocation(invoiceNumber: "INV-2026-000001", amount: "10.00", invoiceOpenAmount: "0.00", invoiceStatus: "paid"),
            PaymentAppliedDocument.Allocation(invoiceNumber: "INV-2026-000002", amount: "2.5\"0", invoiceOpenAmount: "1.00", invoiceStatus: "partially_paid"),
        ]
        for allocated in [allocations, []] {
            let applied = PaymentAppliedDocument(
                paymentID: "P-1", customerID: "C-1", currency: "EUR", amount: "12.50", receivedDate: "2026-11-24",
                allocations: allocated, unappliedAmount: "0.00")
            #expect(applied.jsonBytes == applied.json.jsonBytes)
            #expect(try JSONDecoder().decode(PaymentAppliedDocument.self, from: Data(applied.jsonBytes)) == applied)
        }
        for payments in [["P-1", "P-2"], []] {
            let paid = InvoicePaidDocument(
                invoiceNumber: "INV-2026-000001", customerID: "C-1", currency: "EUR", grossTotal: "10.00", paidDate: "2026-11-24", paymentIDs: payments)
            #expect(paid.jsonBytes == paid.json.jsonBytes)
            #expect(try JSONDecoder().decode(InvoicePaidDocument.self, from: Data(paid.jsonBytes)) == paid)
        }
    }

    @Test("error messages say where")
    func messages() {
        do {
            _ = try JSONParser.parse(Array("{\"a\":garbage}".utf8))
        } catch {
            #expect(error.description == "unexpected character 'g' at byte 5")
        }
    }
}

@Suite("Stored message headers")
struct HeadersJSONTests {
    /// The same JSON built the slow way: a JSONValue tree, with Foundation's base64.
    func reference(_ headers: [MessageHeader]) -> String {
        JSONValue.array(headers.map { header in
            .object(["name": .string(header.name), "value": header.value.map { .string(Data($0).base64EncodedString()) } ?? .null])
        }).jsonString
    }

    @Test("headers JSON matches the JSONValue form with Foundation's base64, for every padding length")
    func matchesReference() {
        var cases: [[MessageHeader]] = [[], [MessageHeader(name: "nothing", value: nil)], [MessageHeader(name: "empty", value: [])]]
        for length in 1...7 {
            cases.append([MessageHeader(name: "h\(length)", value: (0..<length).map { UInt8(truncatingIfNeeded: $0 * 97 + 200) })])
        }
        cases.append([
            MessageHeader(name: "ce_type", string: "invoice.issued"), MessageHeader(name: "quote\"back\\slash\nline", value: [0, 255, 62, 63]),
            MessageHeader(name: "ünï", value: Array("ü".utf8)),
        ])
        for headers in cases {
            #expect(JSONValue.headersJSON(headers) == reference(headers), "\(headers)")
        }
    }
}

@Suite("JSON documents read in place")
struct JSONDocumentTests {
    static let documents = [
        #"{"b":2,"a":{"z":[1,{"y":null,"x":true}],"c":"d"},"e":[]}"#, #"{}"#, #"[]"#, #" [ 1 , -0.5e+3 , 0 ] "#, #""\u00e9\ud83d\ude00\n\t\"\\\/""#,
        #"{"k":"ünïcødé 🎉","ü":"x","u":"y"}"#, #"{"a\u0062":1,"aa":3}"#, #"{"\u212A":1,"J":3}"#,
        #"{"k":"first","j":0,"i":{"k":1,"l":2}}"#, #"{"q":"a\"b\\c\u0001d","p":"plain"}"#, #"123"#, #"null"#,
        BenchSample.order, BenchSample.payment,
    ]

    @Test("reads every document into the same tree as before, and writes the same bytes as the tree does", arguments: documents)
    func sameAsTree(text: String) throws {
        let document = try JSONDocument(parsing: Array(text.utf8))
        let tree = document.root.value
        var written: [UInt8] = []
        document.root.write(into: &written)
        #expect(written == tree.jsonBytes)
        // The tree, written and read again, is itself.
        #expect(try JSONParser.parse(tree.jsonBytes) == tree)
    }

    @Test("a large object is written sorted; one that repeats a name, even as an escape or a canonically equal name, is refused")
    func largeObjects() throws {
        let names = (0..<50).map { "k\(($0 * 37) % 50)" }
        let text = "{" + names.map { "\"\($0)\":1" }.joined(separator: ",") + "}"
        let document = try JSONDocument(parsing: Array(text.utf8))
        #expect(document.root.jsonString == document.root.value.jsonString)
        guard case .object(let members) = document.root.value else { Issue.record("not an object"); return }
        #expect(members.count == 50)
        for repeated in [#""k7":2"#, #""k\u0037":2"#] {
            let again = String(text.dropLast()) + "," + repeated + "}"
            #expect(throws: JSONParser.Failure.self, "\(repeated)") { try JSONDocument(parsing: Array(again.utf8)) }
        }
        #expect(throws: JSONParser.Failure.self) { try JSONDocument(parsing: Array(#"{"\u212A":1,"K":2}"#.utf8)) }
        #expect(throws: JSONParser.Failure.self) { try JSONDocument(parsing: Array(#"{"K":1,"\u212A":2}"#.utf8)) }
    }

    @Test("members are found by name as the tree finds them: escaped names, canonically equal names")
    func lookups() throws {
        let document = try JSONDocument(parsing: Array(#"{"a\u0062":"escaped","k":"second","\u212A":"kelvin","n":null,"x":[1,"2"]}"#.utf8))
        let root = document.root
        for name in ["ab", "k", "K", "n", "x", "missing", "\u{212A}"] {
            #expect(root[name]?.value == root.value[name], "\(name)")
        }
        #expect(root["ab"]?.string == "escaped")
        #expect(root["k"]?.string == "second")
        #expect(root["n"]?.isNull == true)
        #expect(root["x"]?.elements.map(\.value) == [.number("1"), .string("2")])
        #expect(root["x"]?["k"] == nil)
        #expect(root["x"]?.string == nil)
    }
}

/// Event data as the benchmark produces it, for the JSON tests.
enum BenchSample {
    static let order =
        #"{"specversion":"1.0","id":"bp-1","source":"/bench","type":"order.placed","data":{"order_id":"BO-1","customer_id":"BC-1","currency":"EUR","order_date":"2026-11-20","payment_terms":{"net_days":30},"purchase_order":"PO-1","buyer":{"name":"Customer BC-1","tax_id":"DE100000001"},"lines":[{"line_id":"1","sku":"SKU-1","description":"Widget","quantity":"2","unit_price":"0.01","tax_rate":"19"},{"line_id":"2","sku":"SKU-B","description":"Manual","quantity":"1","unit_price":"12.50","tax_rate":"7"}]}}"#
    static let payment =
        #"{"specversion":"1.0","id":"bpay-1","source":"/bench","type":"payment.received","data":{"payment_id":"BP-1","customer_id":"BC-1","amount":"10.00","currency":"EUR","received_date":"2026-11-25","references":["BO-1"]}}"#
}
