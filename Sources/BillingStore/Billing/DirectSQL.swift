import GRDB

#if canImport(GRDBSQLite)
    import GRDBSQLite
#elseif canImport(SQLite3)
    import SQLite3
#endif

/// A query parameter bound straight to SQLite, skipping the boxing of GRDB's `StatementArguments`
/// (the per-event lookups). Writes go through `WriteBuffer` instead.
enum SQLValue: Sendable {
    case text(String)
    case integer(Int64)
    case blob([UInt8])
    case null

    static func text(_ value: String?) -> SQLValue { value.map(SQLValue.text) ?? .null }
    static func integer<Value: BinaryInteger>(_ value: Value?) -> SQLValue { value.map { .integer(Int64($0)) } ?? .null }
    static func blob(_ value: [UInt8]?) -> SQLValue { value.map(SQLValue.blob) ?? .null }
}

extension Database {
    /// Runs a cached statement, binding `values` directly, and calls `row` for each result row.
    ///
    /// - Throws: `DatabaseError` with SQLite's code and message, or what `row` throws.
    func each(_ sql: String, _ values: some Sequence<SQLValue>, row: (RawRow) throws -> Void) throws {
        guard let connection = sqliteConnection else { throw DatabaseError(resultCode: .SQLITE_MISUSE, message: "connection closed", sql: sql) }
        try runStatement(try cachedStatement(sql: sql).sqliteStatement, sql: sql, values: values, connection: connection, row: row)
    }
}

/// Binds `values` to a prepared statement, steps through its rows and resets it.
///
/// - Throws: `DatabaseError` with SQLite's code and message, or what `row` throws.
func runStatement(
    _ handle: OpaquePointer, sql: @autoclosure () -> String, values: some Sequence<SQLValue>, connection: OpaquePointer, row: (RawRow) throws -> Void
) throws {
    func check(_ code: Int32) throws {
        guard code == SQLITE_OK else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)), sql: sql())
        }
    }
    sqlite3_reset(handle)
    defer {
        sqlite3_clear_bindings(handle)
        sqlite3_reset(handle)
    }
    var index: Int32 = 1
    for value in values {
        try check(bindSQLValue(value, at: index, of: handle))
        index += 1
    }
    while true {
        let code = sqlite3_step(handle)
        if code == SQLITE_DONE { return }
        try check(code == SQLITE_ROW ? SQLITE_OK : code)
        try row(RawRow(handle: handle))
    }
}

/// The current row of a query run by `Database.each`; valid only inside its callback.
struct RawRow {
    let handle: OpaquePointer

    /// The column as text ('' for NULL).
    func text(_ column: Int32) -> String {
        guard let bytes = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    /// The column as an integer (0 for NULL).
    func integer(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    /// Whether the column is NULL.
    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    /// The column as text, nil for NULL.
    func optionalText(_ column: Int32) -> String? { isNull(column) ? nil : text(column) }
}

/// SQLite copies the bound bytes before the call returns (SQLITE_TRANSIENT).
private let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// Binds one value to a prepared statement; SQLite's result code.
func bindSQLValue(_ value: SQLValue, at index: Int32, of handle: OpaquePointer) -> Int32 {
    switch value {
    case .null:
        return sqlite3_bind_null(handle, index)
    case .integer(let number):
        return sqlite3_bind_int64(handle, index, number)
    case .text(let text):
        var text = text
        return text.withUTF8 { bytes in
            // An empty buffer may have no address, and a NULL pointer would bind NULL, not ''.
            guard let base = bytes.baseAddress, !bytes.isEmpty else { return sqlite3_bind_text(handle, index, "", 0, nil) }
            return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                sqlite3_bind_text(handle, index, $0, Int32(bytes.count), sqliteTransient)
            }
        }
    case .blob(let bytes):
        return bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress, !raw.isEmpty else { return sqlite3_bind_zeroblob(handle, index, 0) }
            return sqlite3_bind_blob(handle, index, base, Int32(raw.count), sqliteTransient)
        }
    }
}
