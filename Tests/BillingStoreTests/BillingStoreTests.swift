import BillingCore
import BillingStore
import Foundation
import TestSupport
import Testing

@Suite("Billing store on a real SQLite file")
struct BillingStoreTests {
    let directory: URL
    let path: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("billingd-store-\(UUID().uuidString)")
        path = directory.appendingPathComponent("nested/billing.sqlite").path
    }

    func deadLetter(offset: Int64, rejection: EventRejection = .notJSON(detail: "x")) -> DeadLetter {
        DeadLetter(source: LogPosition(topic: "orders", partition: 0, offset: offset), rejection: rejection)
    }

    @Test("opening creates the file, runs the migrations, and uses WAL with full sync")
    func openAndMigrate() async throws {
        let store = try BillingStore.openForWriting(path: path)
        #expect(try store.appliedMigrations() == [
            "2026-11-22 consumer offsets, dead letters, outbox", "2026-11-22 orders, invoices, payments, audit", "2026-11-23 outbox publication cursor",
            "2026-11-23 drop unused indexes", "2026-11-23 invoice documents in their own table",
            "2026-11-23 rebuilt orders, invoices, payments and allocations", "2026-12-04 drop the unused audit entity index",
            "2026-12-04 outbox rows that refer to their invoice document", "2026-12-04 payments by customer only with unapplied money",
            "2026-12-05 billing events in the outbox without their envelope", "2026-12-05 JSON columns without a json_valid per row",
            "2026-12-08 partition gaps and store identity",
        ])
        let indexes = try TestSupport.sqlite(path, "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'audit_log';")
        #expect(indexes == "", "the audit log has no index of its own")
        #expect(FileManager.default.fileExists(atPath: path))
        let mode = try TestSupport.sqlite(path, "PRAGMA journal_mode;")
        #expect(mode == "wal")
    }

    @Test("a batch stores offsets, dead letters and outbox rows together; offsets never go back")
    func recordBatch() async throws {
        let store = try BillingStore.openForWriting(path: path)
        let message = OutboundMessage(topic: "billing.dlq", key: Array("k".utf8), value: nil, headers: [MessageHeader(name: "a", value: [0, 255])])
        try await store.recordBatch(IngestBatch(
            offsets: [ConsumerOffset(topic: "orders", partition: 0, nextOffset: 10), ConsumerOffset(topic: "orders", partition: 1, nextOffset: 3)],
            deadLetters: [deadLetter(offset: 9, rejection: .unknownType("x.y"))],
            outbox: [message],
            processedAt: Date(timeIntervalSince1970: 0)))
        try await store.recordBatch(IngestBatch(offsets: [ConsumerOffset(topic: "orders", partition: 0, nextOffset: 7)], processedAt: Date()))
        let offsets = try store.nextOffsets(topics: ["orders", "payments"])
        #expect(offsets == [ConsumerOffset(topic: "orders", partition: 0, nextOffset: 10), ConsumerOffset(topic: "orders", partition: 1, nextOffset: 3)])
        let pending = try await store.unpublishedOutbox(limit: 10)
        #expect(pending.map(\.message) == [message], "NULL value and binary header survive the round trip")
        let status = try store.status()
        #expect(status.deadLetters == 1)
        #expect(status.deadLettersByReason.map { "\($0.reason)=\($0.count)" } == ["unknown_type=1"])
        #expect(status.outboxPending == 1)
    }

    @Test("the same dead letter recorded twice is kept once")
    func deadLetterIdempotent() async throws {
        let store = try BillingStore.openForWriting(path: path)
        for _ in 0..<2 {
            try await store.recordBatch(IngestBatch(offsets: [], deadLetters: [deadLetter(offset: 4)], processedAt: Date()))
        }
        #expect(try store.status().deadLetters == 1)
    }

    @Test("publishing marks rows; failures are counted and the rows stay pending")
    func outboxLifecycle() async throws {
        let store = try BillingStore.openForWriting(path: path)
        let messages = (0..<5).map { OutboundMessage(topic: "billing.events", key: nil, value: Array("m\($0)".utf8)) }
        try await store.recordBatch(IngestBatch(offsets: [], outbox: messages, processedAt: Date()))
        let pending = try await store.unpublishedOutbox(limit: 3)
        #expect(pending.map(\.message.value) == [Array("m0".utf8), Array("m1".utf8), Array("m2".utf8)])
        try await store.markPublished(through: pending[1].id, at: Date())
        try await store.recordPublishFailure(ids: [pending[2].id], error: "broker down")
        let next = try await store.unpublishedOutbox(limit: 10)
        #expect(next.count == 3)
        #expect(next.first?.attempts == 1)
        #expect(try store.status().outboxPublished == 2)
    }

    @Test("the publication cursor covers every row up to it and never moves back")
    func cursorOnlyAdvances() async throws {
        let store = try BillingStore.openForWriting(path: path)
        try await store.recordBatch(IngestBatch(
            offsets: [], outbox: (0..<6).map { OutboundMessage(topic: "t", key: nil, value: [UInt8($0)]) }, processedAt: Date()))
        let ids = try await store.unpublishedOutbox(limit: 10).map(\.id)
        try await store.markPublished(through: ids[3], at: Date())
        try await store.markPublished(through: ids[1], at: Date())
        #expect(try await store.unpublishedOutbox(limit: 10).map(\.id) == [ids[4], ids[5]])
        #expect(try await store.unpublishedOutbox(after: ids[4], limit: 10).map(\.id) == [ids[5]])
        let status = try store.status()
        #expect(status.outboxPending == 2)
        #expect(status.outboxPublished == 4)
        #expect(try store.progress(topics: ["orders"]).outboxPending == 2)
    }

    @Test("a read-only open sees the writer's data and cannot write")
    func readOnly() async throws {
        let writer = try BillingStore.openForWriting(path: path)
        try await writer.recordBatch(IngestBatch(offsets: [ConsumerOffset(topic: "orders", partition: 2, nextOffset: 5)], processedAt: Date()))
        let reader = try BillingStore.openReadOnly(path: path)
        #expect(try reader.nextOffsets(topics: ["orders"]).map(\.nextOffset) == [5])
        await #expect(throws: (any Error).self) {
            try await reader.recordBatch(IngestBatch(offsets: [ConsumerOffset(topic: "orders", partition: 2, nextOffset: 6)], processedAt: Date()))
        }
    }

    @Test("read-only open of a missing file or a foreign database says so")
    func readOnlyErrors() async throws {
        #expect {
            _ = try BillingStore.openReadOnly(path: path)
        } throws: { "\($0)".contains("no such file") }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let foreign = directory.appendingPathComponent("foreign.sqlite").path
        _ = try TestSupport.sqlite(foreign, "PRAGMA journal_mode=WAL; CREATE TABLE t(x);")
        #expect {
            _ = try BillingStore.openReadOnly(path: foreign)
        } throws: { "\($0)".contains("schema") }
    }
}

/// Runs the sqlite3 command-line shell, an outside reader of our file.
@Suite("WAL checkpoints off the writer's path")
struct CheckpointTests {
    @Test("under a continuous stream of batches the WAL stays bounded and nothing is lost")
    func walStaysBounded() async throws {
        let directory = try TestSupport.temporaryDirectory("wal")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("billing.sqlite").path
        let store = try BillingStore.openForWriting(path: path)
        let payload = [UInt8](repeating: 0x61, count: 8000)
        let batches = 600
        let perBatch = 40
        for batch in 0..<batches {
            let outbox = (0..<perBatch).map { index in
                OutboundMessage(topic: "billing.dlq", key: Array("k\(batch)-\(index)".utf8), value: payload, headers: [])
            }
            try await store.recordBatch(IngestBatch(
                offsets: [ConsumerOffset(topic: "orders", partition: 0, nextOffset: Int64(batch + 1))], outbox: outbox, processedAt: Date()))
        }
        // ~190 MB went through the WAL, faster than any real batch stream. Without checkpoints it would
        // hold all of it. The checkpoint thread starts at 32 MiB; a writer this fast outruns it, and then
        // the writer checkpoints itself at the 128 MiB hard limit (plus the batch that crossed it), after
        // waiting for the thread's pass to end.
        let walBytes = try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int ?? 0
        #expect(walBytes <= (128 << 20) + (1 << 20), "WAL is \(walBytes) bytes")
        let rows = try TestSupport.sqlite(path, "SELECT count(*), sum(length(payload)) FROM outbox;")
        #expect(rows == "\(batches * perBatch)|\(batches * perBatch * payload.count)")
        #expect(try store.nextOffsets(topics: ["orders"]).map(\.nextOffset) == [Int64(batches)])
    }
}
