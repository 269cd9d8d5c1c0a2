import BillingCore
import Foundation
import TestSupport
import Testing

/// A seeded mutation fuzz run of the envelope decoder and the event parsers: 120,000 inputs made from
/// the seed corpus (`FuzzCorpus/`, valid events of every type) by flipping, replacing, inserting,
/// deleting, repeating and splicing bytes and by planting values at the edges of the input contract.
/// Every input must be accepted or rejected with a known reason code and words; nothing may trap.
@Suite("Mutation fuzzing of input decoding")
struct MutationFuzzTests {
    static let corpusDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("FuzzCorpus")

    static func corpus() throws -> [[UInt8]] {
        try FileManager.default.contentsOfDirectory(atPath: corpusDirectory.path).filter { $0.hasSuffix(".json") }.sorted().map {
            Array(try Data(contentsOf: corpusDirectory.appendingPathComponent($0)))
        }
    }

    /// Bytes and values that sit on the edges of JSON, UTF-8 and the input contract.
    static let interestingBytes: [UInt8] = Array("\"{}[],:\\0-.eE+ \t\nntfu".utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xC3, 0xE2, 0xF0, 0xFF]
    static let plantedValues: [String] = [
        #"" 5.00""#, #""5.00 ""#, #""+5""#, #""1e3""#, #""-0""#, #""99999999999999999999""#, #""9223372036854775807""#,
        #""-9223372036854775808""#, #""0.00000000001""#, #""2026-02-30""#, #""2026-11-22T25:00:00Z""#, #""2016-12-31T23:59:60Z""#,
        #""""#, "null", "true", "[]", "{}", "0", "-1", "1e400", #""\u0000""#, #""\ud83d\ude00""#, #""XXX""#, #""EUR""#, #""JPY""#,
        #""1000000000.0001""#, #""9999999999999.99""#, #""10000000000000""#, #"[{"line_id":"1","quantity":"1"}]"#,
    ]

    static func mutate(_ seed: [UInt8], other: [UInt8], random: inout SplitMix) -> [UInt8] {
        var bytes = seed
        for _ in 0..<(1 + random.below(4)) {
            let position = random.below(bytes.count + 1)
            switch random.below(9) {
            case 0 where !bytes.isEmpty:  // flip a bit
                let index = min(position, bytes.count - 1)
                bytes[index] ^= UInt8(1 << random.below(8))
            case 1 where !bytes.isEmpty:  // replace a byte with an interesting one
                bytes[min(position, bytes.count - 1)] = interestingBytes[random.below(interestingBytes.count)]
            case 2:  // insert an interesting byte
                bytes.insert(interestingBytes[random.below(interestingBytes.count)], at: position)
            case 3 where !bytes.isEmpty:  // delete a range
                let end = min(bytes.count, position + 1 + random.below(16))
                bytes.removeSubrange(min(position, bytes.count - 1)..<end)
            case 4 where !bytes.isEmpty:  // repeat a range (duplicate members, deeper nesting)
                let start = min(position, bytes.count - 1)
                let end = min(bytes.count, start + 1 + random.below(64))
                bytes.insert(contentsOf: bytes[start..<end], at: end)
            case 5:  // splice in part of another seed
                let start = random.below(other.count)
                let end = min(other.count, start + 1 + random.below(128))
                bytes.insert(contentsOf: other[start..<end], at: position)
            case 6:  // plant a value after a ':' (a member's value)
                let colons = bytes.indices.filter { bytes[$0] == UInt8(ascii: ":") }
                guard let colon = colons.isEmpty ? nil : colons[random.below(colons.count)] else { break }
                var end = colon + 1
                var depth = 0
                var inString = false
                // The old value ends at the ',' or '}' that closes it (strings and nesting skipped).
                while end < bytes.count {
                    let byte = bytes[end]
                    if inString {
                        if byte == UInt8(ascii: "\\") { end += 1 } else if byte == UInt8(ascii: "\"") { inString = false }
                    } else if byte == UInt8(ascii: "\"") {
                        inString = true
                    } else if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                        depth += 1
                    } else if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") || byte == UInt8(ascii: ",") {
                        if depth == 0 { break }
                        if byte != UInt8(ascii: ",") { depth -= 1 }
                    }
                    end += 1
                }
                bytes.replaceSubrange((colon + 1)..<min(end, bytes.count), with: Array(plantedValues[random.below(plantedValues.count)].utf8))
            case 7:  // truncate
                bytes.removeSubrange(min(position, bytes.count)...)
            default:  // nest the whole document
                bytes = Array("{\"data\":".utf8) + bytes + Array("}".utf8)
            }
        }
        return bytes
    }

    enum Verdict: Hashable {
        case accepted(String)
        case rejected(String)
    }

    /// What billingd makes of one input before its store transaction: the envelope, the typed data, the
    /// stored JSON, prices and fingerprints. Returns the verdict; records an issue for a reason without
    /// a known code or words, or an accepted value outside the contract.
    static func judge(_ input: [UInt8], decoder: EnvelopeDecoder) -> Verdict {
        let envelope: InputEnvelope
        do {
            envelope = try decoder.decode(input)
        } catch {
            let rejection = error.rejection
            #expect(EventRejection.allCodes.contains(rejection.code), "unknown reason code \(rejection.code)")
            #expect(!rejection.description.isEmpty)
            return .rejected(rejection.code)
        }
        let body = EventBody(envelope, defaultPaymentTermDays: 30)
        _ = envelope.dataNode.jsonString
        switch body {
        case .invalid(let error):
            #expect(!error.path.isEmpty && !error.problem.isEmpty, "a data error names its field and problem: \(error)")
            return .rejected("invalid_data")
        case .order(let order):
            for line in order.lines {
                #expect(line.quantity <= Order.maximumQuantity && line.quantity > Decimal64(units: 0, scale: 0))
                let amount = try? LinePricing.netAmount(line, invoicedQuantity: line.quantity, currency: order.currency)
                #expect(amount.map { $0.minorUnits.magnitude <= Money.maximumMinorUnits } ?? false, "an accepted line has an amount within bounds")
            }
        case .fulfilment(let fulfilment):
            _ = fulfilment.fingerprint
            for line in fulfilment.lines { #expect(line.quantity <= Order.maximumQuantity) }
        case .payment(let payment):
            #expect(payment.amount.minorUnits > 0 && payment.amount.minorUnits <= Money.maximumMinorUnits)
        case .cancellation:
            break
        }
        return .accepted(envelope.type.rawValue)
    }

    @Test("the seed corpus holds a valid event of every input type")
    func corpusIsValid() throws {
        let decoder = EnvelopeDecoder(maxPayloadBytes: 262_144)
        let verdicts = Set(try Self.corpus().map { Self.judge($0, decoder: decoder) })
        #expect(verdicts == Set(InputEventType.allCases.map { Verdict.accepted($0.rawValue) }), "\(verdicts)")
    }

    @Test("120,000 mutated inputs: each accepted or rejected with a known reason, none traps")
    func mutations() throws {
        let seeds = try Self.corpus()
        try #require(seeds.count >= 5)
        let decoder = EnvelopeDecoder(maxPayloadBytes: 262_144)
        var random = SplitMix(seed: 20_261_208)
        var counts: [Verdict: Int] = [:]
        for round in 0..<120_000 {
            let seed = seeds[round % seeds.count]
            let input = Self.mutate(seed, other: seeds[random.below(seeds.count)], random: &random)
            counts[Self.judge(input, decoder: decoder), default: 0] += 1
        }
        #expect(counts.values.reduce(0, +) == 120_000)
        // The mutations reach deep: some inputs of every type stay valid, and most reasons are seen.
        for type in InputEventType.allCases { #expect((counts[.accepted(type.rawValue)] ?? 0) > 100, "\(type) accepted after mutation") }
        let reasons = Set(counts.keys.compactMap { if case .rejected(let code) = $0 { code } else { nil } })
        for code in ["not_json", "not_utf8", "invalid_data", "invalid_attribute", "missing_attribute", "unknown_type"] {
            #expect(reasons.contains(code), "the run reached \(code): \(reasons.sorted())")
        }
    }
}
