import Foundation

/// What several test targets need: running outside tools (kcat, sqlite3, python3) and finding the
/// package's own files.
public enum TestSupport {
    /// The package root: the nearest folder above this file holding `Package.swift`.
    public static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url.deleteLastPathComponent()
        }
        return url
    }()

    /// A new, empty directory under the system's temporary directory, named after `name`; the caller
    /// removes it.
    public static func temporaryDirectory(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("billingd-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// What the sqlite3 shell prints for `sql` on the database at `path`, from outside billingd, trimmed.
    public static func sqlite(_ path: String, _ sql: String) throws -> String {
        try run(["sqlite3", path, sql]).output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs a command found on PATH to completion, feeding it `stdin`; returns its exit status and
    /// standard output (standard error is dropped).
    @discardableResult
    public static func run(_ arguments: [String], stdin: Data? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
