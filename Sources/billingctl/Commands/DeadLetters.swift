import ArgumentParser
import BillingStore

extension Billingctl {
    struct DeadLetters: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dead-letters", abstract: "The most recent records sent to the dead-letter topic, newest first.")

        @OptionGroup var options: StoreOptions

        @Option(help: "How many to show.")
        var limit = 50

        func run() throws {
            let rows = try options.open().recentDeadLetters(limit: limit)
            print(TabularOutput(
                columns: ["recorded_at", "source", "reason_code", "event_id", "event_type", "reason"],
                rows: rows.map {
                    [$0.recordedAt, "\($0.sourceTopic)[\($0.sourcePartition)]@\($0.sourceOffset)", $0.reasonCode, $0.eventID, $0.eventType, $0.reason]
                }
            ).render(options.format))
        }
    }
}
