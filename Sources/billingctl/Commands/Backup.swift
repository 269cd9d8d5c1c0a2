import ArgumentParser
import BillingStore
import Foundation

extension Billingctl {
    struct Backup: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a consistent copy of the store to a new file (safe while billingd runs).",
            discussion: """
                Uses SQLite's online backup API: the copy is the store as of one moment, in a single file \
                (no -wal beside it), readable by its owner only. The file must not exist yet.
                """)

        @OptionGroup var options: StoreOptions

        @Argument(help: "The file to write.")
        var file: String

        func run() throws {
            let store = try options.open()
            try store.backup(to: file)
            let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
            print("backup of \(store.path) written to \(file) (\(size) bytes)")
        }
    }
}
