import GRDB

/// Inserts many rows with few statements: full chunks of `chunk` rows share one prepared multi-row
/// INSERT, the rest go one statement for the remainder. Rows keep their order (and so their ids).
struct MultiRowInsert {
    /// `INSERT INTO table (columns) VALUES`, without the value lists.
    let prefix: String
    let columns: Int
    let chunk: Int

    func insert(_ rows: [[(any DatabaseValueConvertible)?]], db: Database) throws {
        var start = 0
        while start < rows.count {
            let count = min(chunk, rows.count - start)
            let values = Array(repeating: "(" + Array(repeating: "?", count: columns).joined(separator: ",") + ")", count: count)
            let statement = try db.cachedStatement(sql: prefix + " " + values.joined(separator: ","))
            var arguments: [(any DatabaseValueConvertible)?] = []
            arguments.reserveCapacity(count * columns)
            for row in rows[start..<(start + count)] { arguments += row }
            try statement.execute(arguments: StatementArguments(arguments))
            start += count
        }
    }
}
