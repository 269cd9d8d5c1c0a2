import Dispatch
import Foundation
import Logging
import Synchronization

/// The last resort behind the services' own stop limits: if billingd has not ended `limit` after the
/// first SIGTERM or SIGINT, it says so and exits with status 1. Committed work is in the store either
/// way; nothing that was not committed is lost. It should never fire: every service bounds its stop.
final class StopBackstop {
    private let sources: [any DispatchSourceSignal]

    init(limit: Duration, logger: Logger) {
        let queue = DispatchQueue(label: "billingd.stop-backstop")
        let armed = Mutex(false)
        let seconds = Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18
        sources = [SIGTERM, SIGINT].map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                guard armed.withLock({ armed in defer { armed = true }; return !armed }) else { return }
                queue.asyncAfter(deadline: .now() + seconds) {
                    logger.critical("billingd did not stop in time; exiting (committed work is in the store)", metadata: ["stop.limit_s": "\(seconds)"])
                    exit(1)
                }
            }
            source.resume()
            return source
        }
    }

    func cancel() {
        for source in sources { source.cancel() }
    }
}
