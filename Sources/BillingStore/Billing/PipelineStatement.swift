import Synchronization

/// A write statement known by a small number: the SQL pipeline keeps its prepared statements in an
/// array and finds each by that number, instead of hashing the SQL text of every write.
///
/// The hot statements are `static let`s, numbered once per process; any other SQL gets its number the
/// first time it is named (one lookup in a locked table, for the rare writes: offsets, dead letters).
struct PipelineStatement: Hashable, Sendable {
    /// The statement's number, an index into `PipelineStatement.registry`.
    let id: Int

    /// The statement for `sql`, numbered on first use; the same SQL always gets the same number.
    init(_ sql: String) {
        id = Self.registry.withLock { registry in
            if let id = registry.ids[sql] { return id }
            registry.texts.append(sql)
            registry.ids[sql] = registry.texts.count - 1
            return registry.texts.count - 1
        }
    }

    /// The statement with this number (one made by `init(_:)` before).
    init(id: Int) {
        self.id = id
    }

    /// The statement's SQL text.
    var sql: String {
        Self.registry.withLock { $0.texts[id] }
    }

    private struct Registry {
        var ids: [String: Int] = [:]
        var texts: [String] = []
    }

    private static let registry = Mutex(Registry())
}

/// Inserts many rows with few statements: full chunks of `chunk` rows share one prepared multi-row
/// INSERT, the rest go one statement for the remainder. Rows keep their order (and so their ids).
struct MultiRowInsert: Sendable {
    let columns: Int
    let chunk: Int
    /// The INSERT of n rows at index n - 1.
    private let statements: [PipelineStatement]

    /// - Parameter prefix: `INSERT INTO table (columns) VALUES`, without the value lists.
    init(prefix: String, columns: Int, chunk: Int) {
        self.columns = columns
        self.chunk = chunk
        let row = "(" + Array(repeating: "?", count: columns).joined(separator: ",") + ")"
        statements = (1...chunk).map { count in
            PipelineStatement(prefix + " " + Array(repeating: row, count: count).joined(separator: ","))
        }
    }

    /// The statement that inserts `rows` rows (1 ... `chunk`).
    func statement(rows: Int) -> PipelineStatement {
        statements[rows - 1]
    }
}
