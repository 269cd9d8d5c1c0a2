/// A failure of the store that an operator can act on.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    /// The database file could not be opened, created or migrated.
    case cannotOpen(path: String, reason: String)
    /// The file's schema does not match this build (run the matching billingd first).
    case schemaMismatch(path: String)
    /// A write was asked of a store opened read-only.
    case readOnly(path: String)
    /// An operator asked to accept a gap on a partition that has none open.
    case noOpenGap(topic: String, partition: Int32)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            return "cannot open the billing database at \(path): \(reason)"
        case .schemaMismatch(let path):
            return "the billing database at \(path) has a schema this build does not expect; run the billingd of the same version once to migrate it"
        case .readOnly(let path):
            return "the billing database at \(path) is open read-only; only billingd writes it"
        case .noOpenGap(let topic, let partition):
            return "partition \(topic):\(partition) has no open offset gap to accept (billingctl status lists the open gaps)"
        }
    }
}
