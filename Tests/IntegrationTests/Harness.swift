import BillingService
import BillingStore
import Foundation
import Logging
import Synchronization
import TestSupport

/// Shared pieces of the integration tests: paths, processes, kcat as the outside client.
enum Harness {
    static var packageRoot: URL { TestSupport.packageRoot }

    /// The billingd binary built beside the test bundle.
    static let billingd: URL = {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for directory in [beside, beside.deletingLastPathComponent(), packageRoot.appendingPathComponent(".build/debug")] {
            let candidate = directory.appendingPathComponent("billingd")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return packageRoot.appendingPathComponent(".build/debug/billingd")
    }()

    /// The billingctl binary built beside billingd.
    static var billingctl: URL { billingd.deletingLastPathComponent().appendingPathComponent("billingctl") }

    /// Produces one record per line (no key) into one partition with kcat.
    static func kcatProduce(_ bootstrap: String, topic: String, partition: Int, lines: [String]) throws {
        let status = try TestSupport.run(
            ["kcat", "-b", bootstrap, "-t", topic, "-p", String(partition), "-P"], stdin: Data((lines.joined(separator: "\n") + "\n").utf8)).status
        guard status == 0 else { throw HarnessError("kcat -P -p \(partition) exited with \(status)") }
    }

    /// A partition's log start and end offsets, as kcat asks the broker for them (`-Q`, logical offsets -2 and -1).
    static func kcatLogBounds(_ bootstrap: String, topic: String, partition: Int) throws -> (start: Int64, end: Int64) {
        func query(_ logical: Int) throws -> Int64 {
            let output = try TestSupport.run(["kcat", "-b", bootstrap, "-Q", "-t", "\(topic):\(partition):\(logical)"]).output
            guard let word = output.split(separator: " ").last, let offset = Int64(word.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                throw HarnessError("kcat -Q printed \(output)")
            }
            return offset
        }
        return (try query(-2), try query(-1))
    }

    /// The stored next offset of one partition, read the way billingctl does (nil: none stored).
    static func storedOffset(_ storePath: String, topic: String, partition: Int32) -> Int64? {
        guard let store = try? BillingStore.openReadOnly(path: storePath) else { return nil }
        return (try? store.nextOffsets(topics: [topic]))?.first { $0.partition == partition }?.nextOffset
    }

    static let quietLogger: Logger = {
        var logger = Logger(label: "test.integration")
        logger.logLevel = .critical
        return logger
    }()

    /// Produces `key:value` lines (keys may not contain ':') with kcat; `nullEmpty` sends empty values as NULL.
    static func kcatProduce(_ bootstrap: String, topic: String, lines: [String], nullEmpty: Bool = false) throws {
        var arguments = ["kcat", "-b", bootstrap, "-t", topic, "-P", "-K:"]
        if nullEmpty { arguments.append("-Z") }
        let status = try TestSupport.run(arguments, stdin: Data((lines.joined(separator: "\n") + "\n").utf8)).status
        guard status == 0 else { throw HarnessError("kcat -P exited with \(status)") }
    }

    /// Produces raw bytes as one record with kcat (for payloads that are not text).
    static func kcatProduceRaw(_ bootstrap: String, topic: String, key: String, value: [UInt8]) throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("raw-\(UUID().uuidString)")
        try Data(value).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let status = try TestSupport.run(["kcat", "-b", bootstrap, "-t", topic, "-P", "-k", key, file.path]).status
        guard status == 0 else { throw HarnessError("kcat -P file exited with \(status)") }
    }

    /// Reads a whole topic with kcat's JSON envelope until it holds at least `count` records.
    static func kcatRead(_ bootstrap: String, topic: String, atLeast count: Int, timeout: Duration = .seconds(30)) async throws -> [KcatRecord] {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var records: [KcatRecord] = []
        repeat {
            let output = try TestSupport.run(["kcat", "-b", bootstrap, "-t", topic, "-C", "-o", "beginning", "-e", "-q", "-J"]).output
            records = output.split(separator: "\n").compactMap { KcatRecord(json: String($0)) }
            if records.count >= count { return records }
            try await Task.sleep(for: .milliseconds(300))
        } while ContinuousClock.now < deadline
        return records
    }

    /// Waits until `condition` holds, checking every 100 ms.
    static func eventually(timeout: Duration = .seconds(30), _ condition: () throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            if try condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try condition()
    }

    /// The sum of the stored next offsets of these topics, read the way billingctl does.
    static func storedRecords(_ storePath: String, topics: [String]) -> Int64 {
        guard let store = try? BillingStore.openReadOnly(path: storePath) else { return 0 }
        return (try? store.progress(topics: topics).consumed) ?? 0
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// One record as `kcat -J` prints it.
struct KcatRecord {
    let partition: Int
    let offset: Int64
    let key: String?
    let payload: String?
    let headers: [String: String]

    init?(json: String) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
            let partition = object["partition"] as? Int, let offset = object["offset"] as? Int
        else { return nil }
        self.partition = partition
        self.offset = Int64(offset)
        key = object["key"] as? String
        payload = object["payload"] as? String
        var headers: [String: String] = [:]
        if let flat = object["headers"] as? [Any] {
            var index = 0
            while index + 1 < flat.count {
                if let name = flat[index] as? String { headers[name] = flat[index + 1] as? String ?? "" }
                index += 2
            }
        }
        self.headers = headers
    }
}

/// A billingd (or `billingd broker`) child process.
final class BillingdProcess: Sendable {
    private let process: Process
    let logFile: URL

    /// Starts billingd with these arguments; `directory` is its working directory, and `asUser` runs it
    /// under another user id (through setpriv; the tests run as root in CI).
    init(arguments: [String], environment: [String: String], logFile: URL, directory: URL? = nil, asUser: UInt32? = nil) throws {
        let process = Process()
        if let asUser {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments = ["--reuid=\(asUser)", "--regid=\(asUser)", "--clear-groups", Harness.billingd.path] + arguments
        } else {
            process.executableURL = Harness.billingd
            process.arguments = arguments
        }
        if let directory { process.currentDirectoryURL = directory }
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("BILLINGD_") }
        env.merge(environment) { $1 }
        process.environment = env
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let handle = try FileHandle(forWritingTo: logFile)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        self.process = process
        self.logFile = logFile
    }

    var isRunning: Bool { process.isRunning }

    func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    /// Waits for the process to end; returns its exit status, or nil when it is still running at the deadline.
    func waitForExit(timeout: Duration) async throws -> Int32? {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while process.isRunning && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning { return nil }
        return process.terminationReason == .exit ? process.terminationStatus : 128 + process.terminationStatus
    }

    var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
