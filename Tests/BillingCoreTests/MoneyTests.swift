@testable import BillingCore
import Foundation
import Testing

@Suite("Money, currencies and rounding")
struct MoneyTests {
    @Test("exponents follow ISO 4217", arguments: [("EUR", 2), ("USD", 2), ("JPY", 0), ("KRW", 0), ("KWD", 3), ("BHD", 3), ("CLF", 4)])
    func exponents(code: String, exponent: Int) throws {
        #expect(try Currency(code: code).exponent == exponent)
    }

    @Test("an unknown currency is an error")
    func unknownCurrency() {
        #expect(throws: MoneyError.unknownCurrency("EUX")) { try Currency(code: "EUX") }
        #expect(throws: MoneyError.unknownCurrency("eur")) { try Currency(code: "eur") }
    }

    @Test("parsing respects the currency's decimals")
    func parsing() throws {
        let eur = try Currency(code: "EUR")
        #expect(try Money(parsing: "12.30", currency: eur).minorUnits == 1230)
        #expect(try Money(parsing: "12.3", currency: eur).minorUnits == 1230)
        #expect(try Money(parsing: "12", currency: eur).minorUnits == 1200)
        #expect(try Money(parsing: "12.300", currency: eur).minorUnits == 1230, "trailing zeros carry no precision")
        #expect(throws: MoneyError.tooPrecise("12.345", maxDecimals: 2)) { try Money(parsing: "12.345", currency: eur) }
        #expect(try Money(parsing: "1500", currency: Currency(code: "JPY")).minorUnits == 1500)
        #expect(throws: MoneyError.tooPrecise("1500.5", maxDecimals: 0)) { try Money(parsing: "1500.5", currency: Currency(code: "JPY")) }
        #expect(try Money(parsing: "1.234", currency: Currency(code: "KWD")).minorUnits == 1234)
        for bad in ["", "1,5", "1.2.3", "+1", "1e3", ".5", "5.", " 1", "0x10", "١٢"] {
            #expect(throws: MoneyError.self) { try Money(parsing: bad, currency: eur) }
        }
    }

    @Test("formatting gives exactly the currency's decimals")
    func formatting() throws {
        #expect(Money(minorUnits: 5, currency: try Currency(code: "EUR")).amountString == "0.05")
        #expect(Money(minorUnits: -105, currency: try Currency(code: "EUR")).amountString == "-1.05")
        #expect(Money(minorUnits: 1500, currency: try Currency(code: "JPY")).amountString == "1500")
        #expect(Money(minorUnits: 7, currency: try Currency(code: "KWD")).amountString == "0.007")
        #expect(Money(minorUnits: 0, currency: try Currency(code: "EUR")).amountString == "0.00")
        #expect(Money(minorUnits: -7, currency: try Currency(code: "KWD")).amountString == "-0.007")
        #expect(Money(minorUnits: .max, currency: try Currency(code: "EUR")).amountString == "92233720368547758.07")
        #expect(Money(minorUnits: .min, currency: try Currency(code: "EUR")).amountString == "-92233720368547758.08")
    }

    @Test("decimals and rates print exactly what they hold")
    func decimalPrinting() throws {
        #expect(Decimal64(units: -5, scale: 3).description == "-0.005")
        #expect(Decimal64(units: 120, scale: 1).description == "12.0")
        #expect(Decimal64(units: 0, scale: 0).description == "0")
        #expect(try Decimal64(parsing: "-0.125", maxScale: 4) == Decimal64(units: -125, scale: 3))
        #expect(try Decimal64(parsing: "007", maxScale: 0).description == "7")
        #expect(try TaxRate(percent: Decimal64(parsing: "0", maxScale: 4)).description == "0")
        #expect(try TaxRate(percent: Decimal64(parsing: "0.25", maxScale: 4)).description == "0.25")
        #expect(try TaxRate(percent: Decimal64(parsing: "100.0000", maxScale: 4)).description == "100")
    }

    @Test("amounts, decimals, rates and dates written into a buffer are their strings, after what it held")
    func appendingToBytes() throws {
        let currencies = try ["EUR", "JPY", "KWD", "CLF"].map { try Currency(code: $0) }
        let units: [Int64] = [0, 1, -1, 5, 7, 10, 100, -105, 1500, 123_456_789, 100_000, .max, .min]
        for currency in currencies {
            for value in units {
                let money = Money(minorUnits: value, currency: currency)
                var bytes = Array("x".utf8)
                money.appendAmount(to: &bytes)
                #expect(String(decoding: bytes, as: UTF8.self) == "x" + money.amountString)
            }
        }
        for (value, scale) in [(Int64(0), 0), (120, 1), (-5, 3), (7_500, 3), (100_0000, 4), (19, 0), (.min, 2)] {
            let decimal = Decimal64(units: value, scale: scale)
            var bytes = Array("y".utf8)
            decimal.append(to: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == "y" + decimal.description)
        }
        for rate in ["0", "0.25", "7.50", "19", "100.0000", "0.0001"] {
            let taxRate = try TaxRate(percent: Decimal64(parsing: rate, maxScale: 4))
            var bytes = Array("10".utf8)
            taxRate.append(to: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == "10" + taxRate.description)
        }
        var digits: [UInt8] = []
        ASCIIDigits.append(UInt128.max, width: 1, to: &digits)
        #expect(String(decoding: digits, as: UTF8.self) == String(UInt128.max))
    }

    @Test("overflow is an error, never a trap")
    func overflow() throws {
        let eur = try Currency(code: "EUR")
        let big = Money(minorUnits: .max - 1, currency: eur)
        #expect(throws: MoneyError.overflow) { try big.adding(Money(minorUnits: 2, currency: eur)) }
        #expect(throws: MoneyError.overflow) { try Money(minorUnits: .min, currency: eur).subtracting(Money(minorUnits: 1, currency: eur)) }
        #expect(throws: MoneyError.overflow) { try Money(parsing: "99999999999999999999", currency: eur) }
    }

    @Test("different currencies do not mix")
    func mismatch() throws {
        #expect(throws: MoneyError.currencyMismatch("EUR", "USD")) {
            try Money(minorUnits: 1, currency: Currency(code: "EUR")).adding(Money(minorUnits: 1, currency: Currency(code: "USD")))
        }
    }

    @Test("rounding is half away from zero", arguments: [
        (Int128(5), Int128(10), Int128(1)), (Int128(4), Int128(10), Int128(0)), (Int128(15), Int128(10), Int128(2)),
        (Int128(25), Int128(10), Int128(3)), (Int128(-5), Int128(10), Int128(-1)), (Int128(-15), Int128(10), Int128(-2)),
        (Int128(-4), Int128(10), Int128(0)), (Int128(1), Int128(3), Int128(0)), (Int128(2), Int128(3), Int128(1)),
    ])
    func rounding(numerator: Int128, denominator: Int128, expected: Int128) {
        #expect(Rounding.divide(numerator, by: denominator) == expected)
    }

    @Test("tax is rounded once per rate", arguments: [
        ("19", 1000, 190), ("19", 263, 50), ("7", 50, 4), ("7", 49, 3), ("7.5", 10, 1), ("0", 12345, 0), ("19", -263, -50), ("16", 3, 0),
    ])
    func tax(rate: String, net: Int64, expected: Int64) throws {
        let eur = try Currency(code: "EUR")
        let taxRate = try TaxRate(percent: Decimal64(parsing: rate, maxScale: 4))
        #expect(try taxRate.tax(on: Money(minorUnits: net, currency: eur)).minorUnits == expected)
    }

    @Test("rates print without trailing zeros and reject nonsense")
    func rates() throws {
        #expect(try TaxRate(percent: Decimal64(parsing: "7.50", maxScale: 4)).description == "7.5")
        #expect(try TaxRate(percent: Decimal64(parsing: "19", maxScale: 4)).description == "19")
        #expect(throws: MoneyError.self) { try TaxRate(percent: Decimal64(parsing: "101", maxScale: 4)) }
        #expect(throws: MoneyError.self) { try TaxRate(percent: Decimal64(parsing: "-1", maxScale: 4)) }
    }
}

@Suite("Calendar dates")
struct BusinessDateTests {
    @Test("impossible dates are refused, leap years respected")
    func validity() {
        #expect(BusinessDate("2026-02-29") == nil)
        #expect(BusinessDate("2028-02-29") != nil)
        #expect(BusinessDate("2100-02-29") == nil)
        #expect(BusinessDate("2000-02-29") != nil)
        #expect(BusinessDate("2026-04-31") == nil)
        #expect(BusinessDate("2026-13-01") == nil)
        #expect(BusinessDate("26-01-01") == nil)
        for bad in ["2026-1-01", "2026-01-1", "2026/01/01", "2026-01-01 ", "2026-01-0x", "+026-01-01", "", "2026-01-01T00"] {
            #expect(BusinessDate(bad) == nil, "\(bad)")
        }
    }

    @Test("dates print as YYYY-MM-DD, zero-padded, and read back")
    func printing() {
        #expect(BusinessDate(year: 987, month: 3, day: 4)!.description == "0987-03-04")
        #expect(BusinessDate(year: 2026, month: 12, day: 31)!.description == "2026-12-31")
        #expect(BusinessDate("0987-03-04") == BusinessDate(year: 987, month: 3, day: 4))
    }

    @Test("adding days crosses months, years and leap days", arguments: [
        ("2026-11-22", 30, "2026-12-22"), ("2026-12-15", 30, "2027-01-14"), ("2028-02-28", 1, "2028-02-29"),
        ("2028-02-29", 1, "2028-03-01"), ("2026-01-31", 0, "2026-01-31"), ("1970-01-01", -1, "1969-12-31"),
        ("2026-03-01", 3650, "2036-02-27"),
    ])
    func adding(start: String, days: Int, expected: String) {
        #expect(BusinessDate(start)!.adding(days: days).description == expected)
    }

    @Test("agrees with Foundation's calendar over ten years of days")
    func agreesWithFoundation() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let start = BusinessDate("2024-01-01")!
        for offset in stride(from: 0, to: 3660, by: 7) {
            let ours = start.adding(days: offset)
            let theirs = BusinessDate(calendar.date(byAdding: .day, value: offset, to: calendar.date(from: DateComponents(year: 2024, month: 1, day: 1))!)!, in: calendar.timeZone)
            #expect(ours == theirs)
        }
    }
}
