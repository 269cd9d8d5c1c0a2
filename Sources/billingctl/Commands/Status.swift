import ArgumentParser
import BillingStore
import Foundation

extension Billingctl {
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stored consumer offsets, the outbox backlog and dead letters.")

        @OptionGroup var options: StoreOptions

        func run() throws {
            let status = try options.open().status()
            switch options.format {
            case .json:
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(status), as: UTF8.self))
            case .csv:
                var rows: [[String?]] = status.offsets.map { ["offset", "\($0.topic)[\($0.partition)]", String($0.nextOffset)] }
                rows += status.gaps.map { ["gap", "\($0.topic)[\($0.partition)]", "expected \($0.expectedOffset), log start \($0.logStart.map(String.init) ?? "unknown")"] }
                rows.append(["outbox", "pending", String(status.outboxPending)])
                rows.append(["outbox", "published", String(status.outboxPublished)])
                rows.append(["dead_letters", "total", String(status.deadLetters)])
                rows.append(["invoices", "total", String(status.invoices)])
                rows.append(["waiting_events", "total", String(status.waitingEvents)])
                rows += status.invoiceSeries.map { ["invoice_series", $0.series, String($0.lastSequence)] }
                rows += status.deadLettersByReason.map { ["dead_letters", $0.reason, String($0.count)] }
                print(TabularOutput(columns: ["section", "name", "value"], rows: rows).render(.csv))
            case .table:
                print("Consumer offsets (next record to process)")
                print(TabularOutput(
                    columns: ["topic", "partition", "next_offset", "updated_at"],
                    rows: status.offsets.map { [$0.topic, String($0.partition), String($0.nextOffset), $0.updatedAt] }
                ).render(.table))
                print("")
                if status.gaps.isEmpty {
                    print("Offset gaps: none")
                } else {
                    print("Offset gaps: \(status.gaps.count) partition(s) PAUSED: the broker does not have the records they owe next.")
                    print("Accept a gap only after recovering or writing off the missing records: billingd run --accept-gap TOPIC:PARTITION")
                    print(TabularOutput(
                        columns: ["topic", "partition", "expected_offset", "log_start", "log_end", "detected_at", "reason"],
                        rows: status.gaps.map {
                            [$0.topic, String($0.partition), String($0.expectedOffset), $0.logStart.map(String.init) ?? "?", $0.logEnd.map(String.init) ?? "?",
                             $0.detectedAt, $0.reason]
                        }
                    ).render(.table))
                }
                print("")
                print("Outbox: \(status.outboxPending) pending, \(status.outboxPublished) published"
                    + (status.oldestPendingCreatedAt.map { ", oldest pending from \($0)" } ?? ""))
                print("Dead letters: \(status.deadLetters)"
                    + (status.deadLettersByReason.isEmpty ? "" : " (" + status.deadLettersByReason.map { "\($0.reason) \($0.count)" }.joined(separator: ", ") + ")"))
                print("Invoices: \(status.invoices)" + (status.invoiceSeries.isEmpty ? "" : " (" + status.invoiceSeries.map { "\($0.series) up to \($0.lastSequence)" }.joined(separator: ", ") + ")"))
                print("Events waiting for their order: \(status.waitingEvents)")
                print("Schema: \(status.migrations.count) migrations applied")
            }
        }
    }
}
