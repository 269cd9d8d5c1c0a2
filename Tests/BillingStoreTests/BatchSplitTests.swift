import BillingCore
import Foundation
import GRDB
import Testing

#if canImport(GRDBSQLite)
    import GRDBSQLite
#elseif canImport(SQLite3)
    import SQLite3
#endif

@testable import BillingStore

/// The store reads most of what a batch needs before the batch's writes and sees the batch's own
/// changes through an overlay; reads it did not plan fall back to the writer's connection. Whatever
/// the batch boundaries, and whether an event's data was read ahead or not, the outcome must be the same.
@Suite("Batch boundaries do not change the outcome")
struct BatchSplitTests {
    let context = BillingContext(
        now: Date(timeIntervalSince1970: 1_795_338_900), timeZone: TimeZone(identifier: "UTC")!, seller: Party(name: "Seller"),
        numbering: InvoiceNumbering(prefix: "INV"), defaultPaymentTermDays: 30)
    let settings = ProcessingSettings(eventsTopic: "billing.events", deadLetterTopic: "billing.dlq", maxDeadLetterPayloadBytes: 10_000)

    /// Orders with two lines, each shipped in two parts (one shipment delivered twice, under a new event
    /// id), some shipped before they are placed, one cancelled, paid in parts by order id and by invoice
    /// number, with one payment repeated and one over-paying; some events repeated under the same id.
    static func stream(orders: Int) -> [String] {
        var events: [String] = []
        var issued = 0
        var numbers: [String: [String]] = [:]  // order → its invoice numbers, in issue order
        var waiting: [String: [String]] = [:]  // order → shipments waiting for it
        func issue(_ order: String) {
            issued += 1
            numbers[order, default: []].append(String(format: "INV-2026-%06d", issued))
        }
        for index in 0..<orders {
            let order = "O-\(index)", customer = "C-\(index % 7)"
            let placed = #"{"specversion":"1.0","id":"p-\#(index)","source":"/t","type":"order.placed","data":{"order_id":"\#(order)","customer_id":"\#(customer)","currency":"EUR","order_date":"2026-11-20","lines":[{"line_id":"1","quantity":"3","unit_price":"19.99","tax_rate":"19"},{"line_id":"2","quantity":"1","unit_price":"5.55","tax_rate":"7"}]}}"#
            func ship(_ part: Int, _ line: String, _ quantity: String, id: String? = nil) -> String {
                #"{"specversion":"1.0","id":"\#(id ?? "f-\(index)-\(part)")","source":"/t","type":"order.fulfilled","data":{"shipment_id":"S-\#(index)-\#(part)","order_id":"\#(order)","customer_id":"\#(customer)","ship_date":"2026-11-21","lines":[{"line_id":"\#(line)","quantity":"\#(quantity)"}]}}"#
            }
            func pay(_ id: String, _ amount: String, _ references: [String], event: String) -> String {
                let refs = references.map { "\"\($0)\"" }.joined(separator: ",")
                return #"{"specversion":"1.0","id":"\#(event)","source":"/t","type":"payment.received","data":{"payment_id":"\#(id)","customer_id":"\#(customer)","amount":"\#(amount)","currency":"EUR","received_date":"2026-11-25","references":[\#(refs)]}}"#
            }
            if index % 5 == 0 {
                // The first shipment arrives before its order, and waits.
                events.append(ship(1, "1", "2"))
                waiting[order, default: []].append("S-\(index)-1")
                events.append(placed)
                for _ in waiting[order] ?? [] { issue(order) }
            } else {
                events.append(placed)
                events.append(placed)  // the same event again
                events.append(ship(1, "1", "2"))
                issue(order)
            }
            if index % 11 == 3 {
                events.append(#"{"specversion":"1.0","id":"c-\#(index)","source":"/t","type":"order.cancelled","data":{"order_id":"\#(order)","customer_id":"\#(customer)"}}"#)
                events.append(ship(2, "2", "1"))  // not billable any more
                events.append(pay("P-\(index)-a", "10.00", [order], event: "pa-\(index)"))
                continue
            }
            events.append(ship(1, "1", "2", id: "f-\(index)-1-again"))  // the same shipment, new event id
            events.append(ship(2, "1", "1"))
            issue(order)
            events.append(pay("P-\(index)-a", "30.00", [order], event: "pa-\(index)"))
            events.append(pay("P-\(index)-a", "30.00", [order], event: "pa-\(index)-again"))  // the same payment again
            events.append(ship(3, "2", "1"))
            issue(order)
            let last = numbers[order]!.last!
            events.append(pay("P-\(index)-b", index % 3 == 0 ? "100.00" : "12.34", index % 4 == 1 ? [last] : [last, order], event: "pb-\(index)"))
        }
        return events
    }

    func sourced(_ json: String, offset: Int64, readAhead: Bool) throws -> SourcedEvent {
        let record = InputRecord(
            position: LogPosition(topic: "orders", partition: 0, offset: offset), key: nil, value: Array(json.utf8), headers: [],
            timestampMilliseconds: nil)
        let envelope = try EnvelopeDecoder(maxPayloadBytes: 10_000).decode(record.value)
        return readAhead ? .prepared(record: record, envelope: envelope, defaultPaymentTermDays: 30) : SourcedEvent(record: record, envelope: envelope)
    }

    /// Processes the stream in batches of the given sizes (cycled) and returns what the store holds.
    /// `pipelined`: each batch is decided while the one before is still uncommitted (its commit held back),
    /// and confirmed after, as billingd's ingest does.
    func outcome(batchSizes: [Int], readAhead: Bool, pipelined: Bool = false) async throws -> [String] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("billingd-split-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let json = Self.stream(orders: 60)
        let events = try json.enumerated().map { try sourced($0.element, offset: Int64($0.offset), readAhead: readAhead) }
        do {
            let store = try BillingStore.openForWriting(path: path)
            var start = 0, turn = 0
            var previous: SubmittedBatch?
            while start < events.count {
                let end = min(start + batchSizes[turn % batchSizes.count], events.count)
                let batch = IngestBatch(offsets: [ConsumerOffset(topic: "orders", partition: 0, nextOffset: Int64(end))], processedAt: context.now)
                if pipelined {
                    store.pipeline?.holdCommits(true)
                    let submitted = try await store.submitBatch(batch, events: Array(events[start..<end]), context: context, settings: settings)
                    store.pipeline?.holdCommits(false)
                    if let previous { _ = try await store.confirm(previous) }
                    previous = submitted
                } else {
                    _ = try await store.processBatch(batch, events: Array(events[start..<end]), context: context, settings: settings)
                }
                start = end
                turn += 1
            }
            if let previous { _ = try await store.confirm(previous) }
        }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(5)
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        let state = """
            SELECT 'invoice ' || number || ' ' || order_id || ' ' || shipment_id || ' ' || gross_minor || ' ' || paid_minor || ' ' || status FROM invoice
            UNION ALL SELECT 'document ' || number || ' ' || document FROM invoice_document
            UNION ALL SELECT 'order ' || order_id || ' ' || customer_id || ' ' || currency || ' ' || status || ' ' || payment_term_days || ' ' || invoiced_quantities || ' ' || order_data FROM billing_order
            UNION ALL SELECT 'payment ' || payment_id || ' ' || amount_minor || ' ' || unapplied_minor FROM payment
            UNION ALL SELECT 'allocation ' || payment_id || ' ' || invoice_number || ' ' || amount_minor FROM payment_allocation
            UNION ALL SELECT 'series ' || series || ' ' || last_sequence FROM invoice_series
            UNION ALL SELECT 'dead letter ' || source_offset || ' ' || reason_code FROM dead_letter
            UNION ALL SELECT 'waiting ' || event_key FROM waiting_event
            UNION ALL SELECT 'processed ' || count(*) FROM processed_event
            ORDER BY 1
            """
        let outbox = "SELECT 'outbox ' || topic || ' ' || CAST(payload AS TEXT) FROM outbox_message ORDER BY id"
        let audit = "SELECT 'audit ' || entity_type || ' ' || entity_id || ' ' || action || ' ' || detail FROM audit_log ORDER BY id"
        let rows: [String] = try await queue.read { db in
            var rows = try String.fetchAll(db, sql: state)
            rows += try String.fetchAll(db, sql: outbox)
            rows += try String.fetchAll(db, sql: audit)
            return rows
        }
        return rows
    }

    @Test("one batch, one event per batch, uneven batches, and data read ahead or not all give the same store")
    func sameOutcome() async throws {
        let whole = try await outcome(batchSizes: [100_000], readAhead: true)
        // The stream exercises what it should.
        let invoices = whole.filter { $0.hasPrefix("invoice ") }
        let expectedInvoices = 54 * 3 + 6  // six orders are cancelled after their first shipment
        #expect(invoices.count == expectedInvoices)
        #expect(invoices.contains { $0.hasSuffix(" paid") })
        #expect(invoices.contains { $0.hasSuffix(" partially_paid") })
        let audit = whole.filter { $0.hasPrefix("audit ") }
        #expect(audit.contains { $0.contains(" duplicate_ignored ") })
        #expect(audit.contains { $0.contains(" event_waiting ") })
        #expect(whole.contains { $0.hasPrefix("dead letter ") })
        #expect(!whole.contains { $0.hasPrefix("waiting ") })
        let numbers = invoices.map { String($0.split(separator: " ")[1]) }
        let gapless: [String] = (1...numbers.count).map { String(format: "INV-2026-%06d", $0) }
        #expect(numbers == gapless)

        for (sizes, readAhead) in [([1], true), ([7, 1, 130, 3, 64], true), ([100_000], false), ([5, 2], false)] {
            let split = try await outcome(batchSizes: sizes, readAhead: readAhead)
            #expect(split == whole, "batches of \(sizes), data read ahead: \(readAhead)")
        }
        // Each batch decided on top of the one before while that one is not committed yet.
        for (sizes, readAhead) in [([1], true), ([2, 3], true), ([7, 1, 130, 3, 64], true), ([5, 2], false), ([40, 9], true)] {
            let pipelined = try await outcome(batchSizes: sizes, readAhead: readAhead, pipelined: true)
            #expect(pipelined == whole, "pipelined batches of \(sizes), data read ahead: \(readAhead)")
        }
    }
}

@Suite("The SQL pipeline")
struct SQLPipelineTests {
    @Test("batches commit in order; a failure rolls its batch back and fails every batch queued on top of it until reset")
    func failureVoidsTheBatch() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("billingd-pipeline-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        try await queue.write { db in try db.execute(sql: "CREATE TABLE t (k TEXT PRIMARY KEY, n INTEGER NOT NULL)") }
        // As the store does: the pipeline's thread commits, where GRDB's commit hooks must not run.
        let pipeline = SQLPipeline(connection: try #require(queue.writeWithoutTransaction { db in
            sqlite3_commit_hook(db.sqliteConnection, nil, nil)
            sqlite3_rollback_hook(db.sqliteConnection, nil, nil)
            return db.sqliteConnection
        }))
        defer { pipeline.stop() }
        let insertStatement = PipelineStatement("INSERT INTO t (k, n) VALUES (?, ?)")
        let bumpStatement = PipelineStatement("UPDATE t SET n = n + 1 WHERE k = ? AND n = ?")
        enum Write {
            case insert(String, Int64)
            case bump(String, from: Int64)
        }
        func writes(_ writes: Write...) -> WriteBuffer {
            var buffer = WriteBuffer()
            for write in writes {
                switch write {
                case .insert(let key, let n):
                    buffer.append(insertStatement) {
                        $0.text(key)
                        $0.integer(n)
                    }
                case .bump(let key, let n):
                    buffer.append(bumpStatement, expecting: .init(changes: 1, subject: "row", key: key, problem: "moved")) {
                        $0.text(key)
                        $0.integer(n)
                    }
                }
            }
            return buffer
        }
        func rows() throws -> [String] {
            try pipeline.drain()
            return try queue.writeWithoutTransaction { try String.fetchAll($0, sql: "SELECT k || n FROM t ORDER BY k") }
        }
        func message(_ commit: SQLPipeline.Commit) async -> String? {
            do {
                try await commit.value()
                return nil
            } catch let error as DatabaseError {
                return error.message
            } catch {
                return "\(error)"
            }
        }

        // A constraint violation: what came after it never runs, the whole batch rolls back, and the
        // batch queued on top of it fails too.
        pipeline.begin()
        pipeline.submit(writes(.insert("a", 1), .insert("a", 2), .insert("b", 3)))
        let failed = pipeline.commit()
        pipeline.begin()
        pipeline.submit(writes(.insert("z", 1)))
        let onTop = pipeline.commit()
        #expect(await message(failed)?.contains("UNIQUE constraint failed") == true)
        #expect(await message(onTop)?.contains("UNIQUE constraint failed") == true)
        #expect(throws: DatabaseError.self) { try pipeline.drain() }
        pipeline.reset()
        #expect(try rows() == [])

        // After the reset the next batches start clean, and writes run in order.
        pipeline.begin()
        pipeline.submit(writes(.insert("a", 1), .bump("a", from: 1)))
        pipeline.submit(writes(.bump("a", from: 2), .insert("b", 9)))
        let first = pipeline.commit()
        pipeline.begin()
        pipeline.submit(writes(.insert("c", 5)))
        let second = pipeline.commit()
        #expect(await message(first) == nil)
        #expect(await message(second) == nil)
        #expect(try rows() == ["a3", "b9", "c5"])

        // A write that changes other than the rows it expects fails like a constraint.
        pipeline.begin()
        pipeline.submit(writes(.bump("a", from: 1), .insert("d", 1)))
        #expect(await message(pipeline.commit())?.contains("row a moved (0 rows changed, not 1)") == true)
        pipeline.reset()

        // A batch abandoned while it was decided rolls back without failing the batches after it.
        pipeline.begin()
        pipeline.submit(writes(.insert("x", 1)))
        pipeline.abort()
        pipeline.begin()
        pipeline.submit(writes(.insert("e", 1)))
        #expect(await message(pipeline.commit()) == nil)
        #expect(try rows() == ["a3", "b9", "c5", "e1"])

        // Writes of no batch: alone when no transaction is open; else inside the open one, durable when it
        // commits and gone when it rolls back.
        #expect(await message(pipeline.queueWrite(writes(.insert("f", 1)))) == nil)
        pipeline.begin()
        pipeline.submit(writes(.insert("g", 1)))
        let joined = pipeline.queueWrite(writes(.insert("h", 1)))
        pipeline.submit(writes(.insert("i", 1)))
        #expect(await message(pipeline.commit()) == nil)
        #expect(await message(joined) == nil)
        pipeline.begin()
        let lost = pipeline.queueWrite(writes(.insert("j", 1)))
        pipeline.abort()
        #expect(await message(lost)?.contains("rolled back") == true)
        #expect(try rows() == ["a3", "b9", "c5", "e1", "f1", "g1", "h1", "i1"])
    }
}
