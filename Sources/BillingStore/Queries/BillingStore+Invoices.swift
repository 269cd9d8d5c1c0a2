import BillingCore
import GRDB

extension BillingStore {
    private static let summaryColumns =
        "number, issue_date, due_date, customer_id, order_id, shipment_id, status, currency, net_minor, tax_minor, gross_minor, paid_minor"

    private static func summary(_ row: Row) throws -> InvoiceSummary {
        let currency = try Currency(code: row["currency"])
        return InvoiceSummary(
            number: row["number"], issueDate: row["issue_date"], dueDate: row["due_date"], customerID: row["customer_id"],
            orderID: row["order_id"], shipmentID: row["shipment_id"], status: row["status"],
            net: Money(minorUnits: row["net_minor"], currency: currency), tax: Money(minorUnits: row["tax_minor"], currency: currency),
            gross: Money(minorUnits: row["gross_minor"], currency: currency), paid: Money(minorUnits: row["paid_minor"], currency: currency))
    }

    /// Invoices matching the filter, by number.
    ///
    /// - Throws: a GRDB `DatabaseError`.
    public func invoices(_ filter: InvoiceFilter) throws -> [InvoiceSummary] {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let customer = filter.customerID { conditions.append("customer_id = ?"); arguments.append(customer) }
        if let status = filter.status { conditions.append("status = ?"); arguments.append(status) }
        if let from = filter.issuedFrom { conditions.append("issue_date >= ?"); arguments.append(from) }
        if let to = filter.issuedTo { conditions.append("issue_date <= ?"); arguments.append(to) }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        arguments.append(filter.limit)
        return try pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT \(Self.summaryColumns) FROM invoice \(whereClause) ORDER BY series, sequence LIMIT ?",
                arguments: StatementArguments(arguments)
            ).map(Self.summary)
        }
    }

    /// One invoice with its document and payments, or nil.
    ///
    /// - Throws: a GRDB `DatabaseError`.
    public func invoice(number: String) throws -> InvoiceDetail? {
        try pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT \(Self.summaryColumns), (SELECT document FROM invoice_document WHERE invoice_document.number = invoice.number) AS document FROM invoice WHERE number = ?", arguments: [number]) else {
                return nil
            }
            let summary = try Self.summary(row)
            let payments = try Row.fetchAll(
                db, sql: "SELECT payment_id, amount_minor, created_at FROM payment_allocation WHERE invoice_number = ? ORDER BY id", arguments: [number]
            ).map { (paymentID: $0["payment_id"] as String, amount: Money(minorUnits: $0["amount_minor"], currency: summary.gross.currency), at: $0["created_at"] as String) }
            return InvoiceDetail(summary: summary, documentJSON: row["document"], payments: payments)
        }
    }

    /// What a customer owes, per currency. The sums are exact however many invoices and payments there
    /// are: SQL adds the amounts' high and low parts separately (neither sum can overflow), and Swift
    /// puts them together in 128 bits.
    ///
    /// - Throws: a GRDB `DatabaseError`.
    public func balance(customerID: String) throws -> [CustomerBalance] {
        try pool.read { db in
            var byCurrency: [String: (count: Int, invoiced: Int128, paid: Int128, unapplied: Int128)] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT currency, count(*) AS n, \(Self.splitSum("gross_minor", "g")), \(Self.splitSum("paid_minor", "p"))
                    FROM invoice WHERE customer_id = ? GROUP BY currency
                    """,
                arguments: [customerID])
            {
                byCurrency[row["currency"], default: (0, 0, 0, 0)].count = row["n"]
                byCurrency[row["currency"], default: (0, 0, 0, 0)].invoiced = Self.joined(row, "g")
                byCurrency[row["currency"], default: (0, 0, 0, 0)].paid = Self.joined(row, "p")
            }
            for row in try Row.fetchAll(
                // `unapplied_minor > 0` lets SQLite use the partial index payment_unapplied_customer.
                db,
                sql: """
                    SELECT currency, \(Self.splitSum("unapplied_minor", "u")) FROM payment
                    WHERE customer_id = ? AND unapplied_minor > 0 GROUP BY currency
                    """,
                arguments: [customerID])
            {
                byCurrency[row["currency"], default: (0, 0, 0, 0)].unapplied = Self.joined(row, "u")
            }
            return try byCurrency.keys.sorted().map { code in
                let currency = try Currency(code: code)
                let totals = byCurrency[code]!
                return CustomerBalance(
                    customerID: customerID, currency: currency, invoiceCount: totals.count,
                    invoiced: MoneyTotal(minorUnits: totals.invoiced, currency: currency), paid: MoneyTotal(minorUnits: totals.paid, currency: currency),
                    unapplied: MoneyTotal(minorUnits: totals.unapplied, currency: currency))
            }
        }
    }

    /// The parts of an amount that SQL sums without overflow: billions of minor units and the rest.
    static let splitFactor: Int64 = 1_000_000_000

    /// SQL for the sums of `column`'s high and low parts, as `<name>_high` and `<name>_low`.
    static func splitSum(_ column: String, _ name: String) -> String {
        "sum(\(column) / \(splitFactor)) AS \(name)_high, sum(\(column) % \(splitFactor)) AS \(name)_low"
    }

    /// The exact total from the sums of the parts.
    static func joined(_ row: Row, _ name: String) -> Int128 {
        let high: Int64 = row["\(name)_high"] ?? 0
        let low: Int64 = row["\(name)_low"] ?? 0
        return Int128(high) * Int128(splitFactor) + Int128(low)
    }
}
