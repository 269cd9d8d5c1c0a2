import Foundation
import GRDB

#if canImport(GRDBSQLite)
    import GRDBSQLite
#elseif canImport(SQLite3)
    import SQLite3
#endif

/// Runs a batch's writes on a thread of its own, over the writer's connection, while the batch's
/// decisions go on: the store transaction then uses both cores, one deciding and writing documents,
/// the other inside SQLite.
///
/// The connection is never used by two threads at once. The deciding thread hands writes over with
/// `submit` and does not touch the connection again until `drain` has returned, which waits until every
/// write handed over has run. Reads therefore always see every earlier write of the batch. Writes run
/// in the order they were submitted.
///
/// Writes arrive as `WriteBuffer`s (statement numbers and values in one byte array), so nothing is
/// allocated or reference-counted per value on either thread.
///
/// A failed write (a constraint, a full disk, or fewer or more changed rows than its `Expectation`)
/// voids the rest of the batch: later writes are dropped and the next `drain` throws the error, so the
/// transaction rolls back.
final class SQLPipeline: @unchecked Sendable {
    /// The writer's connection. Used by the pipeline's thread only while it has writes, by the deciding
    /// thread only after `drain`.
    private let connection: OpaquePointer
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var queue: [WriteBuffer] = []
    /// Buffers whose writes have run, emptied, for the deciding thread to fill again (their storage is
    /// reused, and freed by the thread that allocated it).
    private var spent: [WriteBuffer] = []
    private var running = false
    private var failure: DatabaseError?
    private var stopping = false
    private var stopped = false
    /// The pipeline thread's own prepared statements, by statement number (GRDB's statement cache
    /// belongs to the deciding thread).
    private var statements: [OpaquePointer?] = []

    init(connection: OpaquePointer) {
        self.connection = connection
        startNamedThread("billingd-sql") { [self] in run() }
    }

    /// Hands writes over, to run after those handed over before.
    func submit(_ buffer: WriteBuffer) {
        guard !buffer.isEmpty else { return }
        condition.lock()
        if failure == nil { queue.append(buffer) }
        condition.signal()
        condition.unlock()
    }

    /// An empty buffer to fill, with the storage of one whose writes have run when there is one.
    func emptyBuffer() -> WriteBuffer {
        condition.lock()
        defer { condition.unlock() }
        return spent.popLast() ?? WriteBuffer()
    }

    /// Waits until every write handed over has run.
    ///
    /// - Throws: the `DatabaseError` of the batch's first failed write (then forgotten: the batch ends).
    func drain() throws {
        condition.lock()
        while !queue.isEmpty || running { condition.wait() }
        let failure = self.failure
        self.failure = nil
        condition.unlock()
        if let failure { throw failure }
    }

    /// Waits until the pipeline is idle and forgets any failure: for a batch that fails for another
    /// reason and is about to roll back.
    func abandon() {
        _ = try? drain()
    }

    /// Finalizes the pipeline's statements and ends its thread; call before the connection closes.
    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        while !stopped { condition.wait() }
        condition.unlock()
    }

    private func run() {
        var chunk: [WriteBuffer] = []
        condition.lock()
        while true {
            while queue.isEmpty && !stopping { condition.wait() }
            if queue.isEmpty { break }
            swap(&chunk, &queue)
            running = true
            condition.unlock()
            var error: DatabaseError?
            for buffer in chunk where error == nil {
                error = buffer.execute(on: connection, prepare: prepared)
            }
            for index in chunk.indices { chunk[index].removeAll() }
            condition.lock()
            // A few spare buffers are enough: the deciding thread hands one over at a time.
            if spent.count < 8 { spent.append(contentsOf: chunk.prefix(8 - spent.count)) }
            chunk.removeAll(keepingCapacity: true)
            running = false
            if let error {
                failure = error
                queue.removeAll()
            }
            condition.broadcast()
        }
        for statement in statements { sqlite3_finalize(statement) }
        statements.removeAll()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// The prepared statement, compiled on first use and kept for the connection's life.
    private func prepared(_ statement: PipelineStatement) throws(DatabaseError) -> OpaquePointer {
        if statement.id < statements.count, let handle = statements[statement.id] { return handle }
        let sql = statement.sql
        var handle: OpaquePointer?
        let code = sqlite3_prepare_v3(connection, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &handle, nil)
        guard code == SQLITE_OK, let handle else {
            sqlite3_finalize(handle)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)), sql: sql)
        }
        if statement.id >= statements.count { statements += Array(repeating: nil, count: statement.id + 1 - statements.count) }
        statements[statement.id] = handle
        return handle
    }
}
