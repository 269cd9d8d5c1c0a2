import Foundation
import GRDB

#if canImport(GRDBSQLite)
    import GRDBSQLite
#elseif canImport(SQLite3)
    import SQLite3
#endif

/// Prepared statements of one connection, compiled once and kept, for a thread that works on the
/// connection outside GRDB. Not thread-safe: one thread at a time.
final class StatementCache {
    let connection: OpaquePointer
    private var statements: [String: OpaquePointer] = [:]
    /// Statements known by number (`PipelineStatement`), found without hashing their SQL.
    private var numbered: [OpaquePointer?] = []

    init(connection: OpaquePointer) {
        self.connection = connection
    }

    /// The prepared statement for `sql`.
    ///
    /// - Throws: `DatabaseError` when SQLite cannot compile it.
    func statement(_ sql: String) throws(DatabaseError) -> OpaquePointer {
        if let cached = statements[sql] { return cached }
        let prepared = try prepare(sql)
        statements[sql] = prepared
        return prepared
    }

    /// The prepared statement for a numbered statement.
    ///
    /// - Throws: `DatabaseError` when SQLite cannot compile it.
    func statement(_ statement: PipelineStatement) throws(DatabaseError) -> OpaquePointer {
        if statement.id < numbered.count, let cached = numbered[statement.id] { return cached }
        let prepared = try prepare(statement.sql)
        if statement.id >= numbered.count { numbered += Array(repeating: nil, count: statement.id + 1 - numbered.count) }
        numbered[statement.id] = prepared
        return prepared
    }

    private func prepare(_ sql: String) throws(DatabaseError) -> OpaquePointer {
        var prepared: OpaquePointer?
        let code = sqlite3_prepare_v3(connection, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &prepared, nil)
        guard code == SQLITE_OK, let prepared else {
            sqlite3_finalize(prepared)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)), sql: sql)
        }
        return prepared
    }

    /// Runs `sql` with `values`, calling `row` for each result row.
    func each(_ sql: String, _ values: [SQLValue], row: (RawRow) throws -> Void) throws {
        try runStatement(try statement(sql), sql: sql, values: values, connection: connection, row: row)
    }

    /// Finalizes every statement; the cache is empty afterwards.
    func finalizeAll() {
        for statement in statements.values { sqlite3_finalize(statement) }
        for statement in numbered { sqlite3_finalize(statement) }
        statements.removeAll()
        numbered.removeAll()
    }
}

/// A read-only connection of the writing process, for reading the committed state a batch starts from
/// while the batch's writes are running on the writer's connection.
///
/// Only billingd writes the database, and one batch at a time, so while a batch is being processed the
/// committed state is exactly the state before the batch. Used only inside the batch's write
/// transaction, which GRDB runs one at a time.
final class CommittedReader: @unchecked Sendable {
    private let statements: StatementCache

    /// Opens the reader on an existing database in WAL mode.
    ///
    /// - Throws: `DatabaseError` when SQLite cannot open it.
    init(path: String) throws {
        var connection: OpaquePointer?
        let code = sqlite3_open_v2(path, &connection, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil)
        guard code == SQLITE_OK, let connection else {
            sqlite3_close_v2(connection)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "cannot open \(path) for reading")
        }
        // Like every billingd connection: keep -wal and -shm when it closes, for read-only openers.
        var persist: CInt = 1
        _ = sqlite3_file_control(connection, nil, SQLITE_FCNTL_PERSIST_WAL, &persist)
        sqlite3_busy_timeout(connection, 5000)
        // Its reads are spread over every index a batch touches: keep those pages in memory (64 MiB).
        sqlite3_exec(connection, "PRAGMA cache_size = -65536", nil, nil, nil)
        statements = StatementCache(connection: connection)
    }

    deinit {
        statements.finalizeAll()
        sqlite3_close_v2(statements.connection)
    }

    /// Runs a query on the committed state, calling `row` for each result row.
    func each(_ sql: PipelineStatement, _ values: [SQLValue], row: (RawRow) throws -> Void) throws {
        try runStatement(try statements.statement(sql), sql: sql.sql, values: values, connection: statements.connection, row: row)
    }

    /// Runs `body` with every query in one read transaction: SQLite takes its locks (a few `fcntl` calls)
    /// once for the whole batch instead of once per query. The committed state does not change meanwhile,
    /// since only the batch's own transaction writes, and it has not committed.
    func withSnapshot<Result>(_ body: () throws -> Result) throws -> Result {
        try statements.each("BEGIN DEFERRED", []) { _ in }
        defer { try? statements.each("COMMIT", []) { _ in } }
        return try body()
    }
}

/// Starts a thread that runs `body` under `name` as the OS shows it (`top -H`, perf; at most 15 bytes).
/// `Thread.name` alone does not reach the OS on Linux, so the thread writes its own `comm`.
func startNamedThread(_ name: String, _ body: @escaping @Sendable () -> Void) {
    let thread = Thread {
        let descriptor = open("/proc/thread-self/comm", O_WRONLY)
        if descriptor >= 0 {
            _ = name.utf8CString.withUnsafeBufferPointer { write(descriptor, $0.baseAddress, min($0.count - 1, 15)) }
            close(descriptor)
        }
        body()
    }
    thread.name = name
    thread.start()
}
