import BillingCore
import CSQLiteTuning
import Foundation
import GRDB
import Synchronization

#if canImport(GRDBSQLite)
import GRDBSQLite
#elseif canImport(SQLite3)
import SQLite3
#endif

/// billingd's database: one GRDB `DatabasePool` over one SQLite file in WAL mode.
///
/// The daemon opens it writable (once per process); billingctl opens it read-only. Every write is an
/// intent-named transaction (`recordBatch`, `markPublished`, …).
public final class BillingStore: Sendable {
    let pool: DatabasePool
    let orderCache = OrderCache()
    let committedIndex = CommittedIndex()
    /// Checkpoints the WAL off the writer's path (writable stores only).
    let checkpointer: WALCheckpointer?
    /// Runs a batch's writes beside its decisions, and reads the state the batch starts from (writable
    /// stores only).
    let pipeline: SQLPipeline?
    let committedReader: CommittedReader?
    /// Batches handed to the pipeline and not yet confirmed, oldest first (at most two).
    let submitted = Mutex<[SubmittedBatch]>([])
    /// The database file's path.
    public let path: String
    /// The writer's exclusive hold on the store (writable stores only).
    let lock: StoreLock?
    /// Whether opening the store created its file (it did not exist before).
    public let createdFile: Bool
    private let closed = Mutex(false)

    /// How durable a commit is. `full` (the default) survives power loss; `normal` can lose the last
    /// transactions on power loss (never on a process crash) and is only for benchmarks.
    public enum Durability: String, Sendable, CaseIterable {
        case full
        case normal
    }

    private init(
        pool: DatabasePool, path: String, checkpointer: WALCheckpointer? = nil, pipeline: SQLPipeline? = nil, committedReader: CommittedReader? = nil,
        lock: StoreLock? = nil, createdFile: Bool = false
    ) {
        self.lock = lock
        self.createdFile = createdFile
        self.pool = pool
        self.path = path
        self.checkpointer = checkpointer
        self.pipeline = pipeline
        self.committedReader = committedReader
    }

    deinit {
        // Its statements are finalized before the pool closes the connection.
        pipeline?.stop()
        checkpointer?.stop()
    }

    /// Opens (creating if needed) the database for writing, takes its exclusive lock for the life of
    /// the returned store, and applies pending migrations.
    ///
    /// - Parameter createDirectory: whether a missing directory may be created (billingd allows it only
    ///   for its documented default path).
    /// - Throws: `StoreError.locked` when another process has the store, `StoreError.missingDirectory`,
    ///   `StoreError.notWritable` when the file or directory cannot be written, `StoreError.cannotOpen`
    ///   naming the path when the file cannot be opened or migrated.
    public static func openForWriting(path: String, durability: Durability = .full, createDirectory: Bool = true) throws -> BillingStore {
        try openForWriting(path: path, durability: durability, createDirectory: createDirectory, checkpointer: WALCheckpointer(path: path))
    }

    /// Opens for writing with the given checkpoint thread (tests use smaller WAL limits).
    static func openForWriting(
        path: String, durability: Durability = .full, createDirectory: Bool = true, checkpointer: WALCheckpointer
    ) throws -> BillingStore {
        Self.configureSQLite
        try prepareLocation(path: path, createDirectory: createDirectory)
        let lock = try StoreLock(databasePath: path)
        let existed = FileManager.default.fileExists(atPath: path)
        do {
            var configuration = Configuration()
            configuration.foreignKeysEnabled = true
            configuration.busyMode = .timeout(5)
            // The SQL pipeline's thread begins and commits the batches' transactions itself, and a batch's
            // transaction is still open when GRDB's access that decided it ends.
            configuration.allowsUnsafeTransactions = true
            configuration.prepareDatabase { db in
                // Keep -wal and -shm after the last connection closes, so read-only openers always work.
                var flag: CInt = 1
                let code = withUnsafeMutablePointer(to: &flag) {
                    sqlite3_file_control(db.sqliteConnection, nil, SQLITE_FCNTL_PERSIST_WAL, $0)
                }
                guard code == SQLITE_OK else { throw DatabaseError(resultCode: ResultCode(rawValue: code)) }
                try db.execute(sql: "PRAGMA synchronous = \(durability == .full ? "FULL" : "NORMAL")")
                if sqlite3_db_readonly(db.sqliteConnection, "main") == 0 {
                    // The writer keeps the hot part of the indexes in memory (up to 64 MiB); pages beyond it
                    // are read back from the OS page cache. 256 MiB was measured slower: on this project's
                    // VMs each freshly touched page of process memory costs ~8 µs of kernel time, more than
                    // the page reads it saves (docs/PERFORMANCE.md, 2026-12-05).
                    try db.execute(sql: "PRAGMA cache_size = -65536")
                    // It leaves checkpoints to the checkpoint thread (readers never write).
                    checkpointer.install(on: db.sqliteConnection!)
                }
            }
            let pool = try DatabasePool(path: path, configuration: configuration)
            try BillingSchema.migrator.migrate(pool)
            checkpointer.start()
            let connection = pool.writeWithoutTransaction { db in
                // The SQL pipeline's thread commits the batches, outside GRDB's dispatch queue, where GRDB's
                // commit and rollback hooks (for transaction observers, which billingd does not use) must not
                // run: they expect GRDB's queue. GRDB's own transactions work without them.
                sqlite3_commit_hook(db.sqliteConnection, nil, nil)
                sqlite3_rollback_hook(db.sqliteConnection, nil, nil)
                return db.sqliteConnection
            }
            guard let connection else { throw StoreError.cannotOpen(path: path, reason: "the writer connection is closed") }
            return BillingStore(
                pool: pool, path: path, checkpointer: checkpointer, pipeline: SQLPipeline(connection: connection),
                committedReader: try CommittedReader(path: path), lock: lock, createdFile: !existed)
        } catch {
            throw StoreError.cannotOpen(path: path, reason: "\(error)")
        }
    }

    /// Removes the files of a store this process created and then refused to use (closed first), so a
    /// refused start at a wrong path leaves nothing behind.
    public func removeCreatedFiles() {
        guard createdFile else { return }
        for suffix in ["", "-wal", "-shm", ".lock"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    /// Checks, before anything is opened, that the store can be written where it is: its directory
    /// exists (or may be created) and is writable, and so are the database and its WAL files if they
    /// exist. A read-only store is found here, at start, not at the first write.
    static func prepareLocation(path: String, createDirectory: Bool) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard createDirectory else { throw StoreError.missingDirectory(path: path, directory: directory) }
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw StoreError.cannotOpen(path: path, reason: "cannot create the directory \(directory): \(error.localizedDescription)")
            }
        } else if !isDirectory.boolValue {
            throw StoreError.cannotOpen(path: path, reason: "\(directory) is not a directory")
        }
        guard access(directory, W_OK | X_OK) == 0 else {
            throw StoreError.notWritable(path: path, reason: "its directory \(directory) is not writable (\(String(cString: strerror(errno))))")
        }
        for file in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) {
            guard access(file, R_OK | W_OK) == 0 else {
                throw StoreError.notWritable(path: path, reason: "\(file) is not writable (\(String(cString: strerror(errno))))")
            }
        }
    }

    /// Ends a writable store cleanly: waits for what the SQL pipeline holds, stops the checkpoint
    /// thread, and copies the whole WAL into the database and empties it (`wal_checkpoint(TRUNCATE)`),
    /// so the database file alone is complete. Later calls do nothing; the lock is released when the
    /// store is released.
    ///
    /// - Returns: whether the WAL was emptied (false when a reader, such as billingctl, held it).
    @discardableResult
    public func close() async -> Bool {
        guard let pipeline, closed.withLock({ closed in defer { closed = true }; return !closed }) else { return false }
        checkpointer?.stop()
        let emptied = try? await pool.writeWithoutTransaction { db -> Bool in
            pipeline.waitUntilIdle()
            var logFrames: CInt = 0
            var copiedFrames: CInt = 0
            let code = sqlite3_wal_checkpoint_v2(db.sqliteConnection, nil, SQLITE_CHECKPOINT_TRUNCATE, &logFrames, &copiedFrames)
            return code == SQLITE_OK
        }
        return emptied ?? false
    }

    /// Process-wide SQLite settings, applied once before the first connection: no memory statistics,
    /// whose mutex the writer's threads would otherwise contend for on every allocation. If SQLite is in
    /// use already (a read-only store opened first), the call changes nothing, which is harmless.
    private static let configureSQLite: Void = {
        _ = billingd_sqlite_disable_memory_statistics()
    }()

    /// Opens an existing database read-only, as billingctl does beside a running daemon.
    ///
    /// - Throws: `StoreError.cannotOpen` when the file is missing or unreadable, `StoreError.schemaMismatch`
    ///   when its schema is older or newer than this build expects.
    public static func openReadOnly(path: String) throws -> BillingStore {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError.cannotOpen(path: path, reason: "no such file (has billingd run with this store.path?)")
        }
        let pool: DatabasePool
        do {
            var configuration = Configuration()
            configuration.readonly = true
            configuration.busyMode = .timeout(5)
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw StoreError.cannotOpen(path: path, reason: "\(error)")
        }
        let compatible = try pool.read { db in
            try BillingSchema.migrator.hasCompletedMigrations(db) && !BillingSchema.migrator.hasBeenSuperseded(db)
        }
        guard compatible else { throw StoreError.schemaMismatch(path: path) }
        return BillingStore(pool: pool, path: path)
    }

    /// Runs writes that belong to no batch through the SQL pipeline, which owns the writer's connection,
    /// and waits until they are committed (see `SQLPipeline.write`).
    ///
    /// - Throws: `StoreError.readOnly` on a read-only store, else the writes' `DatabaseError`.
    func write(_ buffer: WriteBuffer) async throws {
        guard let pipeline else { throw StoreError.readOnly(path: path) }
        try await pipeline.write(buffer)
    }

    /// The names of the migrations applied to this database, in order.
    public func appliedMigrations() throws -> [String] {
        try pool.read { db in try BillingSchema.migrator.appliedMigrations(db) }
    }
}
