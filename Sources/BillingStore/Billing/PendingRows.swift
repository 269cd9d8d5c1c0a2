/// Rows of one table gathered for a multi-row INSERT: each full chunk goes into the write buffer as one
/// statement as soon as it is complete, the remainder with `flush`. Rows keep their order (and ids).
struct PendingRows: Sendable {
    let insert: MultiRowInsert
    private var values = WriteBuffer.Values()
    private var rows = 0

    init(_ insert: MultiRowInsert) {
        self.insert = insert
    }

    /// Adds one row (`body` appends its values in column order), writing a full chunk into `buffer`.
    mutating func add(into buffer: inout WriteBuffer, _ body: (inout WriteBuffer.Values) -> Void) {
        body(&values)
        rows += 1
        if rows == insert.chunk { flush(into: &buffer) }
    }

    /// Writes the rows gathered so far into `buffer`.
    mutating func flush(into buffer: inout WriteBuffer) {
        guard rows > 0 else { return }
        buffer.append(insert.statement(rows: rows), values: values)
        values.removeAll()
        rows = 0
    }
}
