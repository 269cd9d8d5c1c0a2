import Foundation
import TestSupport

/// One test's scratch directory with a billingd configuration: the embedded broker's address file and
/// the store inside it, the outbox polled every 100 ms.
struct Scratch {
    let directory: URL
    let config: URL
    let storePath: String
    let bootstrapFile: String

    /// - Parameters:
    ///   - partitions: partitions of each embedded topic.
    ///   - storeInConfig: whether the configuration names the store (else billingd's default, `var/` in
    ///     its working directory, unless the environment says otherwise).
    ///   - sessionTimeoutMilliseconds, shutdownTimeoutMilliseconds: values to set, when given.
    init(
        _ name: String, partitions: Int = 2, storeInConfig: Bool = true, sessionTimeoutMilliseconds: Int? = nil,
        shutdownTimeoutMilliseconds: Int? = nil
    ) throws {
        directory = try TestSupport.temporaryDirectory(name)
        config = directory.appendingPathComponent("billingd.yaml")
        storePath = directory.appendingPathComponent("billing.sqlite").path
        bootstrapFile = directory.appendingPathComponent("broker.bootstrap").path
        var yaml = "kafka:\n"
        if let sessionTimeoutMilliseconds { yaml += "  session_timeout_ms: \(sessionTimeoutMilliseconds)\n" }
        yaml += "  embedded:\n    partitions: \(partitions)\n    bootstrap_file: \(bootstrapFile)\n"
        if storeInConfig { yaml += "store:\n  path: \(storePath)\n" }
        yaml += "outbox:\n  poll_interval_ms: 100\n"
        if let shutdownTimeoutMilliseconds { yaml += "shutdown:\n  timeout_ms: \(shutdownTimeoutMilliseconds)\n" }
        try yaml.write(to: config, atomically: true, encoding: .utf8)
    }

    /// Another store in the directory.
    func store(_ name: String) -> String { directory.appendingPathComponent("\(name).sqlite").path }

    /// A log file in the directory.
    func log(_ name: String) -> URL { directory.appendingPathComponent("\(name).log") }

    /// The embedded broker's address, once billingd (or `billingd broker`) has written it.
    func bootstrap() async throws -> String {
        guard try await Harness.eventually(timeout: .seconds(15), { FileManager.default.fileExists(atPath: bootstrapFile) }) else {
            throw HarnessError("no broker address in \(bootstrapFile)")
        }
        return try String(contentsOfFile: bootstrapFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Starts `billingd broker` with this configuration and waits for its address.
    func startBroker(_ name: String = "broker", arguments: [String] = []) async throws -> (process: BillingdProcess, bootstrap: String) {
        try? FileManager.default.removeItem(atPath: bootstrapFile)
        let broker = try BillingdProcess(arguments: ["broker", "--config", config.path] + arguments, environment: [:], logFile: log(name))
        return (broker, try await bootstrap())
    }
}
