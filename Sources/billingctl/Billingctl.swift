import ArgumentParser
import BillingStore
import Foundation

@main
struct Billingctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "billingctl",
        abstract: "Inspect billingd's store (read-only, safe beside a running daemon).",
        subcommands: [Status.self, Invoices.self, InvoiceCommand.self, Customer.self, DeadLetters.self, Backup.self]
    )
}

/// Options every command shares: where the store is and how to print.
struct StoreOptions: ParsableArguments {
    @Option(help: "The billingd SQLite file (default: $BILLINGD_STORE_PATH or var/billingd.sqlite).")
    var store: String?

    @Option(help: "Output format: table, json or csv.")
    var format: OutputFormat = .table

    func open() throws -> BillingStore {
        let path = store ?? ProcessInfo.processInfo.environment["BILLINGD_STORE_PATH"] ?? "var/billingd.sqlite"
        return try BillingStore.openReadOnly(path: path)
    }
}
