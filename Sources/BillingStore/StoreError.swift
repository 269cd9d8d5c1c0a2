/// A failure of the store that an operator can act on.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    /// The database file could not be opened, created or migrated.
    case cannotOpen(path: String, reason: String)
    /// The file's schema does not match this build (run the matching billingd first).
    case schemaMismatch(path: String)
    /// A write was asked of a store opened read-only.
    case readOnly(path: String)
    /// Another process (a second billingd) holds the store's lock.
    case locked(path: String, holder: String)
    /// The file or its directory cannot be written by this process.
    case notWritable(path: String, reason: String)
    /// The store does not exist and its directory does not either (billingd creates only the default one).
    case missingDirectory(path: String, directory: String)
    /// An operator asked to accept a gap on a partition that has none open.
    case noOpenGap(topic: String, partition: Int32)

    /// The process exit status billingd uses for this failure (sysexits.h): 75 (temporary failure) when
    /// another billingd holds the store, 73 (cannot create) for a store that cannot be opened or written,
    /// 1 otherwise.
    public var exitCode: Int32 {
        switch self {
        case .locked: return 75
        case .cannotOpen, .notWritable, .missingDirectory, .schemaMismatch: return 73
        case .readOnly, .noOpenGap: return 1
        }
    }

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            return "cannot open the billing database at \(path): \(reason)"
        case .schemaMismatch(let path):
            return "the billing database at \(path) has a schema this build does not expect; run the billingd of the same version once to migrate it"
        case .readOnly(let path):
            return "the billing database at \(path) is open read-only; only billingd writes it"
        case .locked(let path, let holder):
            return "the billing database at \(path) is in use by another billingd (process \(holder)); one store has one owner, so this one stops"
        case .notWritable(let path, let reason):
            return "the billing database at \(path) cannot be written: \(reason); fix its owner or mode (billingd needs to write the file, its -wal and -shm files and its directory)"
        case .missingDirectory(let path, let directory):
            return "the directory \(directory) of store.path \(path) does not exist; billingd creates no directory for a store path other than the default, so that a mistyped path cannot start an empty store. Create it, or correct store.path"
        case .noOpenGap(let topic, let partition):
            return "partition \(topic):\(partition) has no open offset gap to accept (billingctl status lists the open gaps)"
        }
    }
}
