import Foundation
import GRDB

#if canImport(GRDBSQLite)
    import GRDBSQLite
#elseif canImport(SQLite3)
    import SQLite3
#endif

/// Runs the store's batches on a thread of its own, over the writer's connection: their writes, and
/// the transaction around each batch (BEGIN, COMMIT). The deciding thread hands a batch's writes over
/// while it decides, queues the batch's commit, and goes on deciding the next batch while this thread
/// finishes the writes and commits: so the two cores overlap not only within a batch but across batches.
///
/// The connection is never used by two threads at once. The deciding thread hands work over with
/// `submit`, `begin` and `commit`, and does not touch the connection again until `drain` has returned,
/// which waits until everything handed over has run. Reads therefore always see every earlier write,
/// committed or not. Work runs in the order it was handed over.
///
/// Writes arrive as `WriteBuffer`s (statement numbers and values in one byte array), so nothing is
/// allocated or reference-counted per value on either thread.
///
/// A failure (a constraint, a full disk, fewer or more changed rows than a write's `Expectation`, a
/// failed COMMIT) rolls the open transaction back at once and poisons the pipeline: everything handed
/// over after it is dropped, and every commit queued after it fails with it, because later batches
/// were decided on top of the failed one. `drain` throws the failure; `reset`, called once the caller
/// has discarded what it decided on top of it, clears it.
final class SQLPipeline: @unchecked Sendable {
    /// The outcome of one batch's COMMIT, which the deciding thread does not wait for.
    final class Commit: @unchecked Sendable {
        private let lock = NSLock()
        private var result: Result<Void, DatabaseError>?
        private var waiters: [CheckedContinuation<Void, any Error>] = []

        fileprivate func complete(_ outcome: Result<Void, DatabaseError>) {
            lock.lock()
            result = outcome
            let waiting = waiters
            waiters = []
            lock.unlock()
            for waiter in waiting { waiter.resume(with: outcome.mapError { $0 }) }
        }

        /// The outcome if the commit has run (or was dropped), else nil.
        var outcome: Result<Void, DatabaseError>? {
            lock.lock()
            defer { lock.unlock() }
            return result
        }

        /// Waits for the commit without blocking a thread.
        ///
        /// - Throws: the `DatabaseError` that failed this batch or one before it.
        func value() async throws {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                lock.lock()
                if let result {
                    lock.unlock()
                    continuation.resume(with: result.mapError { $0 })
                } else {
                    waiters.append(continuation)
                    lock.unlock()
                }
            }
        }
    }

    private enum Work {
        case writes(WriteBuffer)
        case begin
        case commit(Commit)
        case abort
        case standalone(WriteBuffer, Commit)
    }

    /// The writer's connection. Used by the pipeline's thread only while it has work, by the deciding
    /// thread only after `drain`.
    private let connection: OpaquePointer
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var queue: [Work] = []
    /// Buffers whose writes have run, emptied, for the deciding thread to fill again (their storage is
    /// reused, and freed by the thread that allocated it).
    private var spent: [WriteBuffer] = []
    private var running = false
    private var failure: DatabaseError?
    private var stopping = false
    private var stopped = false
    /// Whether this thread has a transaction open (it alone begins and ends them).
    private var inTransaction = false
    /// Standalone writes that joined the open transaction, completed when it ends.
    private var joined: [Commit] = []
    /// Tests hold commits back, so that the next batch is surely decided while one is pending; a
    /// thread waiting for the pipeline to be idle lets them through.
    private var commitsHeld = false
    private var waitersForIdle = 0
    /// The pipeline thread's own prepared statements (GRDB's statement cache belongs to the deciding thread).
    private let statements: StatementCache

    init(connection: OpaquePointer) {
        self.connection = connection
        self.statements = StatementCache(connection: connection)
        startNamedThread("billingd-sql") { [self] in run() }
    }

    /// Hands writes over, to run after what was handed over before.
    func submit(_ buffer: WriteBuffer) {
        guard !buffer.isEmpty else { return }
        enqueue(.writes(buffer))
    }

    /// Queues the start of a batch's transaction (BEGIN IMMEDIATE).
    func begin() {
        enqueue(.begin)
    }

    /// Queues the end of a batch's transaction (COMMIT), to run after its writes.
    ///
    /// - Returns: the commit's outcome, to await.
    func commit() -> Commit {
        let commit = Commit()
        enqueue(.commit(commit))
        return commit
    }

    /// Runs writes that belong to no batch (the relay's publication cursor, say) and waits until they
    /// are committed: in a transaction of their own when none is open, else in the open batch's
    /// transaction, committed with it. Never behind a batch in GRDB's writer queue, so they do not hold
    /// up the next batch.
    ///
    /// - Throws: the `DatabaseError` of the writes, or of the batch whose transaction they joined.
    func write(_ buffer: WriteBuffer) async throws {
        try await queueWrite(buffer).value()
    }

    /// Queues writes that belong to no batch (see `write`); the returned commit tells when they are durable.
    func queueWrite(_ buffer: WriteBuffer) -> Commit {
        let commit = Commit()
        enqueue(.standalone(buffer, commit))
        return commit
    }

    /// Queues the end of a batch's transaction without its changes (the batch failed while it was
    /// decided); unlike a failed write it does not poison the pipeline.
    func abort() {
        enqueue(.abort)
    }

    private func enqueue(_ work: Work) {
        condition.lock()
        queue.append(work)
        condition.signal()
        condition.unlock()
    }

    /// An empty buffer to fill, with the storage of one whose writes have run when there is one.
    func emptyBuffer() -> WriteBuffer {
        condition.lock()
        defer { condition.unlock() }
        return spent.popLast() ?? WriteBuffer()
    }

    /// Waits until everything handed over has run.
    ///
    /// - Throws: the `DatabaseError` that poisoned the pipeline (it stays until `reset`).
    func drain() throws {
        condition.lock()
        waitForIdle(transactionEnded: false)
        let failure = self.failure
        condition.unlock()
        if let failure { throw failure }
    }

    /// Waits until everything handed over has run and no transaction is open, so that another writer
    /// may use the connection; a failure stays for the batches to report.
    func waitUntilIdle() {
        condition.lock()
        waitForIdle(transactionEnded: true)
        condition.unlock()
    }

    /// With `condition` locked: waits until everything handed over has run (and, with `transactionEnded`,
    /// no transaction is open). A waiter lets held commits through (`holdCommits`).
    private func waitForIdle(transactionEnded: Bool) {
        waitersForIdle += 1
        condition.broadcast()
        while !queue.isEmpty || running || (transactionEnded && inTransaction) { condition.wait() }
        waitersForIdle -= 1
    }

    /// For tests: holds every commit back until `holdCommits(false)` (or until a thread waits for the
    /// pipeline to be idle), so that later batches are decided while earlier ones are pending.
    func holdCommits(_ held: Bool) {
        condition.lock()
        commitsHeld = held
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until idle, then forgets a failure: for a caller that has discarded every batch decided on
    /// top of it (their commits have failed or will fail).
    func reset() {
        condition.lock()
        waitForIdle(transactionEnded: false)
        failure = nil
        condition.unlock()
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
        var chunk: [Work] = []
        condition.lock()
        while true {
            while queue.isEmpty && !stopping { condition.wait() }
            if queue.isEmpty { break }
            swap(&chunk, &queue)
            running = true
            var poisoned = failure
            condition.unlock()
            var recycled: [WriteBuffer] = []
            for work in chunk {
                switch work {
                case .writes(var buffer):
                    if poisoned == nil, let error = buffer.execute(on: connection, prepare: prepared) {
                        poisoned = error
                        rollBack()
                    }
                    buffer.removeAll()
                    recycled.append(buffer)
                case .begin:
                    if poisoned == nil {
                        if let error = exec("BEGIN IMMEDIATE") { poisoned = error } else { inTransaction = true }
                    }
                case .commit(let commit):
                    condition.lock()
                    while commitsHeld && waitersForIdle == 0 && !stopping { condition.wait() }
                    condition.unlock()
                    if let failure = poisoned {
                        commit.complete(.failure(failure))
                    } else if let error = exec("COMMIT") {
                        poisoned = error
                        rollBack()
                        commit.complete(.failure(error))
                    } else {
                        inTransaction = false
                        commit.complete(.success(()))
                        for standalone in joined { standalone.complete(.success(())) }
                        joined = []
                    }
                case .abort:
                    if poisoned == nil { rollBack() }
                case .standalone(let buffer, let commit):
                    if let failure = poisoned {
                        commit.complete(.failure(failure))
                    } else if inTransaction {
                        if let error = buffer.execute(on: connection, prepare: prepared) {
                            poisoned = error
                            rollBack()
                            commit.complete(.failure(error))
                        } else {
                            joined.append(commit)
                        }
                    } else if let error = exec("BEGIN IMMEDIATE") ?? buffer.execute(on: connection, prepare: prepared) ?? exec("COMMIT") {
                        rollBack()
                        commit.complete(.failure(error))
                    } else {
                        commit.complete(.success(()))
                    }
                }
            }
            chunk.removeAll(keepingCapacity: true)
            condition.lock()
            // A few spare buffers are enough: the deciding thread hands one over at a time.
            if spent.count < 8 { spent.append(contentsOf: recycled.prefix(8 - spent.count)) }
            running = false
            if let poisoned, failure == nil { failure = poisoned }
            condition.broadcast()
        }
        statements.finalizeAll()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// Ends the open transaction without its changes (after a failure); standalone writes that joined it
    /// fail with it.
    private func rollBack() {
        if sqlite3_get_autocommit(connection) == 0 { _ = exec("ROLLBACK") }
        inTransaction = false
        let failure = DatabaseError(resultCode: .SQLITE_ABORT, message: "the batch transaction these writes joined was rolled back")
        for standalone in joined { standalone.complete(.failure(failure)) }
        joined = []
    }

    private func exec(_ sql: String) -> DatabaseError? {
        let code = sqlite3_exec(connection, sql, nil, nil, nil)
        guard code == SQLITE_OK else {
            return DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)), sql: sql)
        }
        return nil
    }

    /// The prepared statement, compiled on first use and kept for the connection's life.
    private func prepared(_ statement: PipelineStatement) throws(DatabaseError) -> OpaquePointer {
        try statements.statement(statement)
    }
}
