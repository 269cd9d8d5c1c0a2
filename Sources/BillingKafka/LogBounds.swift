/// Where a partition's log starts and ends, as its leader reported them.
public struct LogBounds: Sendable, Hashable {
    /// The first offset the broker still has (the low watermark).
    public let start: Int64
    /// The offset the next record will get (the high watermark).
    public let end: Int64

    /// Makes bounds.
    public init(start: Int64, end: Int64) {
        self.start = start
        self.end = end
    }
}
