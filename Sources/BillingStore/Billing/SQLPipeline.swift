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
/// A failed write (a constraint, a full disk, or fewer or more changed rows than its `Expectation`)
/// voids the rest of the batch: later writes are dropped and the next `drain` throws the error, so the
/// transaction rolls back.
final class SQLPipeline: @unchecked Sendable {
    /// A write whose changed-row count is part of its meaning (an optimistic update, say).
    struct Expectation: Sendable {
        let changes: Int32
        /// What it means when the count differs (the error's message).
        let otherwise: String
    }

    struct Command: Sendable {
        let sql: String
        let values: [SQLValue]
        let expectation: Expectation?
    }

    /// The writer's connection. Used by the pipeline's thread only while it has commands, by the deciding
    /// thread only after `drain`.
    private let connection: OpaquePointer
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var queue: [Command] = []
    private var running = false
    private var failure: DatabaseError?
    private var stopping = false
    private var stopped = false
    /// The pipeline thread's own prepared statements (GRDB's statement cache belongs to the deciding thread).
    private let statements: StatementCache

    init(connection: OpaquePointer) {
        self.connection = connection
        self.statements = StatementCache(connection: connection)
        startNamedThread("billingd-sql") { [self] in run() }
    }

    /// Hands writes over, to run after those handed over before.
    func submit(_ commands: [Command]) {
        condition.lock()
        if failure == nil { queue.append(contentsOf: commands) }
        condition.signal()
        condition.unlock()
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
        var chunk: [Command] = []
        condition.lock()
        while true {
            while queue.isEmpty && !stopping { condition.wait() }
            if queue.isEmpty { break }
            swap(&chunk, &queue)
            running = true
            condition.unlock()
            var error: DatabaseError?
            for command in chunk {
                error = execute(command)
                if error != nil { break }
            }
            chunk.removeAll(keepingCapacity: true)
            condition.lock()
            running = false
            if let error {
                failure = error
                queue.removeAll()
            }
            condition.broadcast()
        }
        statements.finalizeAll()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    private func execute(_ command: Command) -> DatabaseError? {
        let handle: OpaquePointer
        do {
            handle = try statements.statement(command.sql)
        } catch {
            return error
        }
        do {
            try runStatement(handle, sql: command.sql, values: command.values, connection: connection) { _ in
                throw DatabaseError(resultCode: .SQLITE_MISUSE, message: "a write returned rows", sql: command.sql)
            }
        } catch let error as DatabaseError {
            return error
        } catch {
            return DatabaseError(resultCode: .SQLITE_ERROR, message: "\(error)", sql: command.sql)
        }
        if let expectation = command.expectation {
            let changes = sqlite3_changes(connection)
            guard changes == expectation.changes else {
                return DatabaseError(
                    resultCode: .SQLITE_ERROR, message: "\(expectation.otherwise) (\(changes) rows changed, not \(expectation.changes))", sql: command.sql)
            }
        }
        return nil
    }
}
