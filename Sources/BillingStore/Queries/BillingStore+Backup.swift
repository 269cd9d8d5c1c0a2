import Foundation
import GRDB

extension BillingStore {
    /// Writes a consistent copy of the store to a new file with SQLite's online backup API, safe while
    /// billingd writes: the copy is the state of one moment. The copy is a single self-contained file
    /// (rollback journal, not WAL), created readable by its owner only, and checked with
    /// `PRAGMA integrity_check`.
    ///
    /// - Throws: `StoreError.cannotOpen` when `destination` exists already or cannot be written, or the
    ///   copy fails its integrity check; a GRDB `DatabaseError` when the backup fails (the partial copy is removed).
    public func backup(to destination: String) throws {
        guard !FileManager.default.fileExists(atPath: destination) else {
            throw StoreError.cannotOpen(path: destination, reason: "the backup file exists already; billingctl never overwrites one")
        }
        let previous = umask(0o077)
        defer { umask(previous) }
        do {
            let copy = try DatabaseQueue(path: destination)
            try pool.backup(to: copy)
            try copy.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA journal_mode = DELETE")
                let check = try String.fetchOne(db, sql: "PRAGMA integrity_check")
                guard check == "ok" else {
                    throw StoreError.cannotOpen(path: destination, reason: "the copy failed its integrity check: \(check ?? "no answer")")
                }
            }
            try copy.close()
        } catch {
            try? FileManager.default.removeItem(atPath: destination)
            throw error
        }
    }
}
