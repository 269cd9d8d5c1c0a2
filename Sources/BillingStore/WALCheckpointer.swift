import Foundation
import Synchronization

#if canImport(GRDBSQLite)
    import GRDBSQLite
#elseif canImport(SQLite3)
    import SQLite3
#endif

/// Copies the WAL back into the database file on a thread of its own, so the writer never does it.
///
/// With SQLite's automatic checkpoint the commit that crosses the limit copies the whole WAL into the
/// database and syncs it, holding up that batch (and every event behind it) for tens of milliseconds.
/// Here the writer's WAL hook only notes the WAL's size after each commit; past `threshold` pages it
/// wakes this thread, which runs a PASSIVE checkpoint over its own connection while the writer keeps
/// appending. Once a checkpoint has copied every frame and no reader needs the old ones, the next commit
/// starts the WAL from its beginning again, so it stays small and hot in the page cache.
///
/// A checkpoint running beside a busy writer can never copy the frames committed during it, so the WAL
/// would never start over. The writer therefore finishes the job itself: when the checkpoint thread has
/// copied all but at most `catchUp` pages, the writer's next commit copies that remainder inline (a few
/// milliseconds), and the commit after it starts the WAL from the beginning.
///
/// If the checkpointer cannot keep up, the writer checkpoints itself past `hardLimit` pages, as SQLite's
/// automatic checkpoint would, first waiting for a pass of the thread to end (it holds the checkpoint
/// lock, and the writer's attempt would find it busy while further batches pile up), and the store stops
/// reading ahead across a commit until the WAL has started over (`wantsQuiet`): the WAL grows past the
/// limit by the batches in flight at most.
final class WALCheckpointer: Sendable {
    let path: String
    let threshold: Int32
    let catchUp: Int32
    let hardLimit: Int32
    private let wake = NSCondition()
    private let state = Mutex(State())
    private let pagesInWAL = Atomic<Int32>(0)

    private struct State: Sendable {
        var requested = false
        var stopped = false
        /// The thread is in a checkpoint pass.
        var running = false
    }

    /// Frames the checkpoint thread's last pass copied (0 after the WAL started over).
    private let copied = Atomic<Int32>(0)

    /// Set once the WAL passed `hardLimit`, until it starts over. A checkpoint never copies past the
    /// snapshot of a reader, and the store's read-ahead holds one older than the last commit while it
    /// decides a batch on top of the one committing; so the store then lets the batch in flight commit
    /// before it reads for the next one (`wantsQuiet`), and that commit's own checkpoint can copy it all.
    private let quiet = Atomic<Bool>(false)

    /// Whether the store should let the batch in flight commit before it reads for the next one.
    var wantsQuiet: Bool { quiet.load(ordering: .relaxed) }

    /// Measured with `billing-bench` (docs/PERFORMANCE.md): a 32 MiB WAL copies pages that many batches
    /// rewrote only once (8 MiB gave ~10 % less throughput; 64 MiB no more, and its checkpoint's sync
    /// pushed the p99 latency up), and a 4 MiB inline remainder keeps the writer's pause to a few
    /// milliseconds (16 MiB gave a p99 of ~50 ms).
    init(path: String, threshold: Int32 = 8192, catchUp: Int32 = 1024, hardLimit: Int32 = 32768) {
        self.path = path
        self.threshold = threshold
        self.catchUp = catchUp
        self.hardLimit = hardLimit
    }

    /// Installs the WAL hook on the writer's connection (it replaces SQLite's automatic checkpoint there).
    func install(on connection: OpaquePointer) {
        sqlite3_wal_hook(connection, walHook, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Starts the checkpoint thread.
    func start() {
        startNamedThread("billingd-ckpt") { [self] in run() }
    }

    /// Ends the checkpoint thread after its current checkpoint, if any.
    func stop() {
        wake.lock()
        state.withLock { $0.stopped = true }
        wake.broadcast()
        wake.unlock()
    }

    /// Called by SQLite on the writer's thread after each commit, with the WAL's size in pages.
    fileprivate func committed(connection: OpaquePointer?, pages: Int32) -> Int32 {
        let previous = pagesInWAL.exchange(pages, ordering: .relaxed)
        if pages < previous {  // the WAL started over
            copied.store(0, ordering: .relaxed)
            quiet.store(false, ordering: .relaxed)
        }
        let hard = pages >= hardLimit
        if hard { quiet.store(true, ordering: .relaxed) }
        let copiedByThread = copied.load(ordering: .relaxed)
        if hard || (copiedByThread > 0 && pages - copiedByThread <= catchUp) {
            copied.store(0, ordering: .relaxed)
            // Wait for the thread's pass to end, and keep it from starting another (it needs the lock for
            // that) until this checkpoint is done: the writer's attempt would find the lock busy.
            if hard {
                wake.lock()
                while state.withLock({ $0.running }) { wake.wait() }
            }
            defer { if hard { wake.unlock() } }
            // Whatever it returns (BUSY while the thread is at it, an I/O error on a full disk), the commit
            // has happened: an error returned from here would report the committed batch as failed and
            // have it retried. Like SQLite's own automatic checkpoint, a later commit simply tries again.
            _ = sqlite3_wal_checkpoint_v2(connection, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
            return SQLITE_OK
        }
        if pages >= threshold {
            wake.lock()
            state.withLock { $0.requested = true }
            wake.signal()
            wake.unlock()
        }
        return SQLITE_OK
    }

    private func run() {
        var connection: OpaquePointer?
        guard sqlite3_open_v2(path, &connection, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK, let connection else {
            sqlite3_close_v2(connection)
            return
        }
        defer { sqlite3_close_v2(connection) }
        // Like every billingd connection: keep -wal and -shm when it closes, for read-only openers.
        var persist: CInt = 1
        _ = sqlite3_file_control(connection, nil, SQLITE_FCNTL_PERSIST_WAL, &persist)
        sqlite3_busy_timeout(connection, 5000)
        // A connection learns that the file is in WAL mode on its first read; until then it cannot checkpoint.
        guard sqlite3_exec(connection, "SELECT count(*) FROM sqlite_schema", nil, nil, nil) == SQLITE_OK else { return }
        while true {
            wake.lock()
            while !state.withLock({ $0.requested || $0.stopped }) { wake.wait() }
            let stopped = state.withLock { state in
                state.requested = false
                state.running = !state.stopped
                return state.stopped
            }
            wake.unlock()
            if stopped { return }
            // PASSIVE: copies what no reader still needs, never waits for the writer or blocks it.
            var framesCopied: Int32 = 0
            if sqlite3_wal_checkpoint_v2(connection, nil, SQLITE_CHECKPOINT_PASSIVE, nil, &framesCopied) == SQLITE_OK {
                copied.store(framesCopied, ordering: .relaxed)
            }
            wake.lock()
            state.withLock { $0.running = false }
            wake.broadcast()
            wake.unlock()
        }
    }
}

/// SQLite's WAL hook (a C function: it captures nothing and finds the checkpointer through `context`).
private func walHook(context: UnsafeMutableRawPointer?, connection: OpaquePointer?, database: UnsafePointer<CChar>?, pages: Int32) -> Int32 {
    guard let context else { return SQLITE_OK }
    return Unmanaged<WALCheckpointer>.fromOpaque(context).takeUnretainedValue().committed(connection: connection, pages: pages)
}
