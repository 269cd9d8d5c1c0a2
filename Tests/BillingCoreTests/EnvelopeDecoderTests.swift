import BillingCore
import Foundation
import Testing

@Suite("CloudEvents envelope decoding")
struct EnvelopeDecoderTests {
    let decoder = EnvelopeDecoder(maxPayloadBytes: 4096)

    func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    func event(_ members: [String: String]) -> [UInt8] {
        let base: [String: String] = [
            "specversion": "\"1.0\"", "id": "\"evt-1\"", "source": "\"/orders\"", "type": "\"order.placed\"",
            "data": "{\"order_id\":\"O-1\",\"amount\":\"12.30\"}",
        ]
        let merged = base.merging(members) { $1 }.filter { $0.value != "<absent>" }
        return bytes("{" + merged.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",") + "}")
    }

    func rejection(_ payload: [UInt8]?) -> EventRejection? {
        do {
            _ = try decoder.decode(payload)
            return nil
        } catch {
            return error.rejection
        }
    }

    @Test("a valid event decodes with its attributes and exact data")
    func validEvent() throws {
        let envelope = try decoder.decode(event(["time": "\"2026-11-22T10:15:00.250+01:00\"", "subject": "\"O-1\""]))
        #expect(envelope.type == .orderPlaced)
        #expect(envelope.id == "evt-1")
        #expect(envelope.eventKey == "/orders#evt-1")
        #expect(envelope.subject == "O-1")
        #expect(envelope.time == Date(timeIntervalSince1970: 1_795_338_900.25))
        #expect(envelope.data["order_id"]?.stringValue == "O-1")
        #expect(envelope.data["amount"] == .string("12.30"))
    }

    @Test("numbers keep their exact text")
    func numbersAreExact() throws {
        let envelope = try decoder.decode(event(["data": "{\"q\":0.1,\"big\":12345678901234567890.12}"]))
        #expect(envelope.data["q"] == .number("0.1"))
        #expect(envelope.data["big"] == .number("12345678901234567890.12"))
    }

    @Test("every kind of bad record gets its own reason", arguments: [
        (nil, "empty_payload"),
        ([], "empty_payload"),
        ([0xFF, 0xFE, 0x7B], "not_utf8"),
        (Array("garbage line".utf8), "not_json"),
        (Array("{\"a\":".utf8), "not_json"),
        (Array("[1,2]".utf8), "not_an_object"),
        (Array("\"text\"".utf8), "not_an_object"),
    ] as [([UInt8]?, String)])
    func badPayloads(payload: [UInt8]?, code: String) {
        #expect(rejection(payload)?.code == code)
    }

    @Test("text outside ASCII: valid UTF-8 is read, any broken sequence is refused wherever it sits")
    func utf8() throws {
        let valid = event(["id": "\"evt-Müller-€\""])
        #expect(try decoder.decode(valid).id == "evt-Müller-€")
        // A lone continuation byte, a lead byte without its continuation, an overlong form, a surrogate, a
        // five-byte form: at every position relative to the 8-byte steps of the ASCII scan.
        for bad: [UInt8] in [[0x80], [0xC3], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80]] {
            let payload = event(["id": "\"xxxxxxxxx\""])
            let start = try #require(payload.firstIndex(of: UInt8(ascii: "x")))
            for offset in 0..<9 {
                var broken = payload
                broken.insert(contentsOf: bad, at: start + offset)
                #expect(rejection(broken)?.code == "not_utf8", "\(bad) at \(start + offset)")
            }
        }
        #expect(rejection(event([:]) + [0xE2, 0x82])?.code == "not_utf8", "cut off at the very end")
    }

    @Test("missing and invalid attributes are named")
    func attributes() {
        #expect(rejection(event(["id": "<absent>"])) == .missingAttribute("id"))
        #expect(rejection(event(["source": "<absent>"])) == .missingAttribute("source"))
        #expect(rejection(event(["type": "<absent>"])) == .missingAttribute("type"))
        #expect(rejection(event(["specversion": "<absent>"])) == .missingAttribute("specversion"))
        #expect(rejection(event(["data": "<absent>"])) == .missingAttribute("data"))
        #expect(rejection(event(["id": "42"])) == .invalidAttribute("id", detail: "expected a string, found a number"))
        #expect(rejection(event(["id": "\"\""])) == .invalidAttribute("id", detail: "must not be empty"))
        #expect(rejection(event(["specversion": "\"0.3\""])) == .unsupportedSpecVersion("0.3"))
        #expect(rejection(event(["datacontenttype": "\"application/xml\""])) == .unsupportedContentType("application/xml"))
        #expect(rejection(event(["datacontenttype": "\"application/json; charset=utf-8\""])) == nil)
        #expect(rejection(event(["time": "\"yesterday\""]))?.code == "invalid_attribute")
        #expect(rejection(event(["type": "\"order.teleported\""])) == .unknownType("order.teleported"))
        #expect(rejection(event(["data": "[1]"]))?.code == "invalid_data")
    }

    @Test("a failure keeps the id and type it could read")
    func failureKeepsIdentity() {
        do {
            _ = try decoder.decode(event(["type": "\"order.teleported\""]))
            Issue.record("expected a failure")
        } catch {
            #expect(error.eventID == "evt-1")
            #expect(error.eventType == "order.teleported")
        }
    }

    @Test("a payload over the limit is rejected before parsing")
    func oversized() {
        let big = Array(repeating: UInt8(ascii: " "), count: 5000)
        #expect(rejection(big) == .oversized(bytes: 5000, limit: 4096))
    }

    @Test("every input type is recognised", arguments: InputEventType.allCases)
    func knownTypes(type: InputEventType) throws {
        let envelope = try decoder.decode(event(["type": "\"\(type.rawValue)\""]))
        #expect(envelope.type == type)
    }
}
