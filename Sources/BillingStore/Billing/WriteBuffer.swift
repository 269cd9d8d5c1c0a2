import GRDB

#if canImport(GRDBSQLite)
    import GRDBSQLite
#elseif canImport(SQLite3)
    import SQLite3
#endif

/// Writes encoded into one byte array: each a statement number and its values, in order. A batch's
/// writes cross from the deciding thread to the SQL pipeline this way without an allocation per value,
/// and SQLite binds text and blobs straight from the buffer (no copy: `SQLITE_STATIC`).
///
/// Layout of one write: statement id (UInt32), expectation index + 1 (UInt32, 0 = none), value count
/// (UInt32), then each value as a tag byte — 0 NULL, 1 integer (8 bytes), 2 text or 3 blob (UInt32
/// length, then the bytes). Integers are in the machine's byte order: the buffer never leaves the process.
struct WriteBuffer: Sendable {
    /// A write whose changed-row count is part of its meaning (an optimistic update, say).
    struct Expectation: Sendable {
        let changes: Int32
        /// The error's message when the count differs: "`subject` `key` `problem`".
        let subject: StaticString
        let key: String
        let problem: StaticString

        var message: String { "\(subject) \(key) \(problem)" }
    }

    /// The values of one write (or of the rows of a multi-row insert), appended in parameter order.
    struct Values: Sendable {
        fileprivate(set) var bytes: [UInt8] = []
        /// How many values were appended.
        fileprivate(set) var count = 0

        mutating func integer(_ value: Int64) {
            bytes.append(ValueTag.integer.rawValue)
            withUnsafeBytes(of: value) { bytes.append(contentsOf: $0) }
            count += 1
        }

        mutating func integer(_ value: some BinaryInteger) {
            integer(Int64(value))
        }

        mutating func integer(_ value: (some BinaryInteger)?) {
            if let value { integer(Int64(value)) } else { null() }
        }

        mutating func text(_ value: String) {
            var value = value
            value.withUTF8 { append(.text, $0) }
        }

        mutating func text(_ value: String?) {
            if let value { text(value) } else { null() }
        }

        mutating func text(_ value: StaticString) {
            value.withUTF8Buffer { append(.text, $0) }
        }

        /// Text that `body` writes as UTF-8 straight into the buffer.
        mutating func text(writing body: (inout [UInt8]) -> Void) {
            bytes.append(ValueTag.text.rawValue)
            let lengthAt = bytes.count
            withUnsafeBytes(of: UInt32(0)) { bytes.append(contentsOf: $0) }
            body(&bytes)
            let length = UInt32(bytes.count - lengthAt - 4)
            bytes.withUnsafeMutableBytes { $0.storeBytes(of: length, toByteOffset: lengthAt, as: UInt32.self) }
            count += 1
        }

        /// Text given as its UTF-8 bytes.
        mutating func text(utf8 value: [UInt8]) {
            value.withUnsafeBufferPointer { append(.text, $0) }
        }

        mutating func blob(_ value: [UInt8]?) {
            guard let value else { return null() }
            value.withUnsafeBufferPointer { append(.blob, $0) }
        }

        mutating func blob(_ value: ArraySlice<UInt8>) {
            value.withUnsafeBufferPointer { append(.blob, $0) }
        }

        mutating func null() {
            bytes.append(ValueTag.null.rawValue)
            count += 1
        }

        /// Appends values encoded elsewhere (the rows of a multi-row insert).
        mutating func append(_ other: Values) {
            bytes.append(contentsOf: other.bytes)
            count += other.count
        }

        mutating func removeAll() {
            bytes.removeAll(keepingCapacity: true)
            count = 0
        }

        private mutating func append(_ tag: ValueTag, _ value: UnsafeBufferPointer<UInt8>) {
            bytes.append(tag.rawValue)
            withUnsafeBytes(of: UInt32(value.count)) { bytes.append(contentsOf: $0) }
            bytes.append(contentsOf: value)
            count += 1
        }
    }

    fileprivate enum ValueTag: UInt8 {
        case null = 0
        case integer = 1
        case text = 2
        case blob = 3
    }

    private var values = Values()
    private var expectations: [Expectation] = []
    /// How many writes the buffer holds.
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    /// The encoded size, for handing the buffer over once it is large enough.
    var byteCount: Int { values.bytes.count }

    /// Appends a write; `body` appends its values in parameter order.
    mutating func append(_ statement: PipelineStatement, expecting expectation: Expectation? = nil, _ body: (inout Values) -> Void) {
        let header = values.bytes.count
        let expectationIndex: UInt32
        if let expectation {
            expectations.append(expectation)
            expectationIndex = UInt32(expectations.count)
        } else {
            expectationIndex = 0
        }
        withUnsafeBytes(of: (UInt32(statement.id), expectationIndex, UInt32(0))) { values.bytes.append(contentsOf: $0) }
        let before = values.count
        body(&values)
        let written = UInt32(values.count - before)
        values.bytes.withUnsafeMutableBytes { $0.storeBytes(of: written, toByteOffset: header + 8, as: UInt32.self) }
        count += 1
    }

    /// Appends a write whose values were encoded beforehand.
    mutating func append(_ statement: PipelineStatement, values encoded: Values) {
        append(statement) { $0.append(encoded) }
    }

    /// Empties the buffer, keeping its storage for the next writes.
    mutating func removeAll() {
        values.removeAll()
        expectations.removeAll(keepingCapacity: true)
        count = 0
    }

    /// Runs every write in order on `connection`, preparing statements through `prepare`.
    ///
    /// - Returns: the first failure (SQLite's error, or a changed-row count other than expected); the
    ///   writes after it are not run.
    func execute(on connection: OpaquePointer, prepare: (PipelineStatement) throws(DatabaseError) -> OpaquePointer) -> DatabaseError? {
        values.bytes.withUnsafeBytes { raw -> DatabaseError? in
            var offset = 0
            while offset < raw.count {
                let statement = PipelineStatement(id: Int(raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
                let expectationIndex = Int(raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self))
                let valueCount = Int32(raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self))
                offset += 12
                let handle: OpaquePointer
                do throws(DatabaseError) {
                    handle = try prepare(statement)
                } catch {
                    return error
                }
                let parameters = sqlite3_bind_parameter_count(handle)
                guard parameters == valueCount else {
                    return DatabaseError(
                        resultCode: .SQLITE_MISUSE, message: "\(valueCount) values for \(parameters) parameters", sql: statement.sql)
                }
                var code = SQLITE_OK
                var index: Int32 = 1
                while index <= valueCount && code == SQLITE_OK {
                    let tag = ValueTag(rawValue: raw[offset])
                    offset += 1
                    switch tag {
                    case .null:
                        code = sqlite3_bind_null(handle, index)
                    case .integer:
                        code = sqlite3_bind_int64(handle, index, raw.loadUnaligned(fromByteOffset: offset, as: Int64.self))
                        offset += 8
                    case .text, .blob:
                        let length = Int(raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
                        offset += 4
                        // The buffer outlives the statement's use of the bytes: it is reset below.
                        let base = raw.baseAddress! + offset
                        if tag == .text {
                            code = sqlite3_bind_text(handle, index, base.assumingMemoryBound(to: CChar.self), Int32(length), nil)
                        } else {
                            code = sqlite3_bind_blob(handle, index, base, Int32(length), nil)
                        }
                        offset += length
                    case nil:
                        return DatabaseError(resultCode: .SQLITE_MISUSE, message: "corrupt write buffer", sql: statement.sql)
                    }
                    index += 1
                }
                if code == SQLITE_OK {
                    code = sqlite3_step(handle)
                    if code == SQLITE_DONE { code = SQLITE_OK } else if code == SQLITE_ROW { code = SQLITE_MISUSE }
                }
                let failure: DatabaseError? =
                    code == SQLITE_OK
                    ? nil : DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)), sql: statement.sql)
                // The bindings stay, pointing into this buffer after it is reused or freed: harmless, as
                // nothing reads them before the statement's next run binds every parameter again (the count
                // is checked above), and clearing them cost ~4 % of the SQL thread.
                sqlite3_reset(handle)
                if let failure { return failure }
                if expectationIndex > 0 {
                    let expectation = expectations[expectationIndex - 1]
                    let changes = sqlite3_changes(connection)
                    guard changes == expectation.changes else {
                        return DatabaseError(
                            resultCode: .SQLITE_ERROR, message: "\(expectation.message) (\(changes) rows changed, not \(expectation.changes))",
                            sql: statement.sql)
                    }
                }
            }
            return nil
        }
    }
}
