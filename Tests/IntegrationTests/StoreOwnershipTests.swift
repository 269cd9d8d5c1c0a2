import BillingStore
import Foundation
import TestSupport
import Testing

/// One store, one owner, and a store that is safe to find, copy and keep.
@Suite("Store ownership and hygiene")
struct StoreOwnershipTests {
    static func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test("a second billingd on the same store is refused at start, and the first goes on")
    func secondProcessOnOneStore() async throws {
        let setup = try Scratch("two-on-one", shutdownTimeoutMilliseconds: 4000)
        let config = setup.config
        let first = try BillingdProcess(arguments: ["--config", config.path], environment: [:], logFile: setup.log("first"))
        #expect(try await Harness.eventually { first.log.contains("consuming") })
        let second = try BillingdProcess(arguments: ["--config", config.path], environment: [:], logFile: setup.log("second"))
        let status = try await second.waitForExit(timeout: .seconds(15))
        #expect(status == 75, "log:\n\(second.log)")
        #expect(second.log.contains("in use by another billingd"))
        #expect(!second.log.contains("embedded Kafka broker started"), "it stopped before starting anything")
        #expect(first.isRunning)
        first.signal(SIGTERM)
        #expect(try await first.waitForExit(timeout: .seconds(15)) == 0)
    }

    @Test("a store path whose directory does not exist is refused, and no directory is made")
    func mistypedStorePath() async throws {
        let setup = try Scratch("wrong-path")
        let directory = setup.directory
        let missing = directory.appendingPathComponent("no-such-dir/billing.sqlite").path
        let daemon = try BillingdProcess(
            arguments: ["--config", setup.config.path], environment: ["BILLINGD_STORE_PATH": missing], logFile: setup.log("billingd"))
        #expect(try await daemon.waitForExit(timeout: .seconds(15)) == 73, "log:\n\(daemon.log)")
        #expect(daemon.log.contains("does not exist"))
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("no-such-dir").path))
    }

    @Test("a read-only store file is found at start with a clear error, not retried at the first write")
    func readOnlyStoreFile() async throws {
        let setup = try Scratch("read-only", storeInConfig: false)
        let (directory, config) = (setup.directory, setup.config)
        let dataDirectory = directory.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        let storePath = dataDirectory.appendingPathComponent("billing.sqlite").path
        do { _ = try BillingStore.openForWriting(path: storePath) }
        // Root may write any file, so as root billingd runs as another user who owns the directory but
        // may only read the database.
        let user: UInt32? = getuid() == 0 ? 65534 : nil
        for path in [directory.path, dataDirectory.path, storePath, storePath + "-wal", storePath + "-shm", storePath + ".lock", config.path] {
            if let user { chown(path, user, user) }
        }
        chmod(directory.path, 0o755)
        chmod(storePath, 0o444)
        let daemon = try BillingdProcess(
            arguments: ["--config", config.path], environment: ["BILLINGD_STORE_PATH": storePath], logFile: setup.log("billingd"), asUser: user)
        #expect(try await daemon.waitForExit(timeout: .seconds(15)) == 73, "log:\n\(daemon.log)")
        #expect(daemon.log.contains("cannot be written"), "log:\n\(daemon.log)")
        #expect(!daemon.log.contains("retrying"))
    }

    @Test("files are created 0600 and the default var/ 0700; a clean stop leaves the database file complete without its WAL; backups are consistent")
    func fileModesCheckpointAndBackup() async throws {
        let setup = try Scratch("hygiene", storeInConfig: false, shutdownTimeoutMilliseconds: 4000)
        let directory = setup.directory
        let storePath = directory.appendingPathComponent("var/billingd.sqlite").path
        let daemon = try BillingdProcess(arguments: ["--config", setup.config.path], environment: [:], logFile: setup.log("billingd"), directory: directory)
        let bootstrap = try await setup.bootstrap()
        try Harness.kcatProduce(bootstrap, topic: "orders", lines: (0..<40).map { "k\($0):junk \($0)" })
        #expect(try await Harness.eventually { Harness.storedRecords(storePath, topics: ["orders"]) == 40 })

        // A backup while billingd runs is one consistent, self-contained file.
        let backup = directory.appendingPathComponent("backup.sqlite").path
        let result = try TestSupport.run([Harness.billingctl.path, "backup", "--store", storePath, backup])
        #expect(result.status == 0, "\(result.output)")
        #expect(try TestSupport.sqlite(backup, "PRAGMA integrity_check;") == "ok")
        #expect(try TestSupport.sqlite(backup, "SELECT sum(next_offset) FROM consumer_offset;") == "40")
        #expect(!FileManager.default.fileExists(atPath: backup + "-wal"))
        #expect(try Self.mode(backup) == 0o600)
        let again = try TestSupport.run([Harness.billingctl.path, "backup", "--store", storePath, backup])
        #expect(again.status != 0, "an existing file is never overwritten")

        daemon.signal(SIGTERM)
        #expect(try await daemon.waitForExit(timeout: .seconds(15)) == 0)
        for file in [storePath, storePath + "-wal", storePath + "-shm", storePath + ".lock"] {
            #expect(try Self.mode(file) == 0o600, "\(file) is 0600")
        }
        #expect(try Self.mode(directory.appendingPathComponent("var").path) == 0o700)
        // The clean stop emptied the WAL into the database: the file alone is the whole store.
        #expect((try FileManager.default.attributesOfItem(atPath: storePath + "-wal")[.size] as? NSNumber)?.intValue == 0)
        let alone = try TestSupport.temporaryDirectory("hygiene-copy").appendingPathComponent("copy.sqlite").path
        try FileManager.default.copyItem(atPath: storePath, toPath: alone)
        #expect(try TestSupport.sqlite(alone, "SELECT sum(next_offset) FROM consumer_offset;") == "40")
        #expect(try TestSupport.sqlite(alone, "SELECT count(*) FROM dead_letter;") == "40")
    }
}

@Suite("billingctl on stored data")
struct BillingctlStoredDataTests {
    @Test("customer balance adds up stored amounts beyond 64 bits exactly (written before the amount bounds existed)")
    func balanceBeyondInt64() async throws {
        let directory = try TestSupport.temporaryDirectory("ctl-overflow")
        let storePath = directory.appendingPathComponent("billing.sqlite").path
        do { _ = try BillingStore.openForWriting(path: storePath) }
        // Two payments of 92,233,720,368,547,758.07 EUR each, nothing applied: the sum is past Int64.
        _ = try TestSupport.sqlite(storePath, """
            INSERT INTO payment (payment_id, customer_id, currency, amount_minor, unapplied_minor, received_date, references_json, created_at)
            VALUES ('P-1', 'C-1', 'EUR', 9223372036854775807, 9223372036854775807, '2026-11-25', '[]', 't'),
                   ('P-2', 'C-1', 'EUR', 9223372036854775807, 9223372036854775807, '2026-11-25', '[]', 't');
            """)
        #expect(try TestSupport.sqlite(storePath, "SELECT count(*) FROM payment;") == "2")
        let result = try TestSupport.run([Harness.billingctl.path, "customer", "balance", "C-1", "--store", storePath, "--format", "csv"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("184467440737095516.14"), "\(result.output)")
        #expect(result.output.contains("-184467440737095516.14"), "the balance, exact: \(result.output)")
    }
}
