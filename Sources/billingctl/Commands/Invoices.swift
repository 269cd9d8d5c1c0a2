import ArgumentParser
import BillingCore
import BillingStore
import Foundation

extension Billingctl {
    struct Invoices: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List invoices.", subcommands: [List.self], defaultSubcommand: List.self)

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Invoices by number, filtered.")

            @OptionGroup var options: StoreOptions
            @Option(help: "Only this customer's invoices.") var customer: String?
            @Option(help: "Only invoices with this status: issued, partially_paid, paid.") var status: String?
            @Option(help: "Issued on or after this date (YYYY-MM-DD).") var from: String?
            @Option(help: "Issued on or before this date (YYYY-MM-DD).") var to: String?
            @Option(help: "At most this many.") var limit = 1000

            func validate() throws {
                if let status, !["issued", "partially_paid", "paid"].contains(status) {
                    throw ValidationError("--status must be issued, partially_paid or paid")
                }
                for (name, value) in [("--from", from), ("--to", to)] {
                    if let value, BusinessDate(value) == nil { throw ValidationError("\(name) must be a date YYYY-MM-DD, not '\(value)'") }
                }
            }

            func run() throws {
                let rows = try options.open().invoices(InvoiceFilter(customerID: customer, status: status, issuedFrom: from, issuedTo: to, limit: limit))
                print(TabularOutput(
                    columns: ["number", "issue_date", "due_date", "customer_id", "order_id", "currency", "net", "tax", "gross", "paid", "open", "status"],
                    rows: rows.map {
                        [$0.number, $0.issueDate, $0.dueDate, $0.customerID, $0.orderID, $0.gross.currency.code, $0.net.amountString,
                         $0.tax.amountString, $0.gross.amountString, $0.paid.amountString, $0.open.amountString, $0.status]
                    }
                ).render(options.format))
            }
        }
    }

    struct InvoiceCommand: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "invoice", abstract: "One invoice.", subcommands: [Show.self])

        struct Show: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "An invoice with its lines, tax breakdown and payments.")

            @OptionGroup var options: StoreOptions
            @Argument(help: "The invoice number, e.g. INV-2026-000001.") var number: String

            func run() throws {
                guard let detail = try options.open().invoice(number: number) else {
                    throw NotFound(what: "invoice \(number)")
                }
                let document = try JSONDecoder().decode(InvoiceDocument.self, from: Data(detail.documentJSON.utf8))
                let summary = detail.summary
                switch options.format {
                case .json:
                    var object = try JSONSerialization.jsonObject(with: Data(detail.documentJSON.utf8)) as? [String: Any] ?? [:]
                    object["status"] = summary.status
                    object["paid_amount"] = summary.paid.amountString
                    object["open_amount"] = summary.open.amountString
                    object["payments"] = detail.payments.map { ["payment_id": $0.paymentID, "amount": $0.amount.amountString, "applied_at": $0.at] }
                    let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
                    print(String(decoding: data, as: UTF8.self))
                case .csv:
                    print(TabularOutput(
                        columns: ["invoice_number", "line_id", "sku", "description", "quantity", "unit", "unit_price", "net_amount", "tax_category", "tax_rate"],
                        rows: document.lines.map { [document.invoiceNumber, $0.lineID, $0.sku, $0.description, $0.quantity, $0.unit, $0.unitPrice, $0.netAmount, $0.taxCategory, $0.taxRate] }
                    ).render(.csv))
                case .table:
                    print("Invoice \(document.invoiceNumber)   status \(summary.status)")
                    print("Issued \(document.issueDate), due \(document.dueDate) (net \(document.paymentTerms.netDays) days)")
                    print("Customer \(document.customerID)\(document.buyer.name.map { " — \($0)" } ?? "")\(document.buyer.taxID.map { ", tax id \($0)" } ?? "")")
                    print("Order \(document.orderID), shipment \(document.shipmentID) shipped \(document.shipDate)"
                        + (document.purchaseOrder.map { ", PO \($0)" } ?? "") + (document.buyerReference.map { ", ref \($0)" } ?? ""))
                    print("")
                    print(TabularOutput(
                        columns: ["line", "description", "quantity", "unit", "unit_price", "net", "tax"],
                        rows: document.lines.map { [$0.lineID, $0.description, $0.quantity, $0.unit, $0.unitPrice, $0.netAmount, "\($0.taxCategory) \($0.taxRate)%"] }
                    ).render(.table))
                    print("")
                    for tax in document.taxBreakdown {
                        print("Tax \(tax.taxCategory) \(tax.taxRate)% on \(tax.taxableAmount): \(tax.taxAmount)")
                    }
                    print("Net \(document.totals.net)   Tax \(document.totals.tax)   Gross \(document.totals.gross) \(document.currency)")
                    print("Paid \(summary.paid.amountString)   Open \(summary.open.amountString) \(document.currency)")
                    for payment in detail.payments {
                        print("  payment \(payment.paymentID): \(payment.amount.amountString) applied \(payment.at)")
                    }
                }
            }
        }
    }

    struct Customer: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A customer's account.", subcommands: [Balance.self])

        struct Balance: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "What a customer owes, per currency.")

            @OptionGroup var options: StoreOptions
            @Argument(help: "The customer id.") var customerID: String

            func run() throws {
                let balances = try options.open().balance(customerID: customerID)
                guard !balances.isEmpty else { throw NotFound(what: "invoices or payments of customer \(customerID)") }
                print(TabularOutput(
                    columns: ["customer_id", "currency", "invoices", "invoiced", "paid", "open", "unapplied", "balance"],
                    rows: balances.map {
                        [$0.customerID, $0.currency.code, String($0.invoiceCount), $0.invoiced.amountString, $0.paid.amountString,
                         $0.open.amountString, $0.unapplied.amountString, $0.balance.amountString]
                    }
                ).render(options.format))
            }
        }
    }
}

/// A lookup found nothing; billingctl exits with status 1 and says what.
struct NotFound: Error, CustomStringConvertible {
    let what: String
    var description: String { "no \(what) in the store" }
}
