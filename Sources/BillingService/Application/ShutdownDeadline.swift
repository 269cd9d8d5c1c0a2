import Synchronization

/// When billingd must be done stopping: `shutdown.timeout_ms` after the stop began. Every service
/// bounds its own draining by it, so a stop ends in time whatever the broker does, without the service
/// group's cancellation limit (which ends in a fatal error) ever being reached.
final class ShutdownDeadline: Sendable {
    private let limit: Duration
    private let started = Mutex<ContinuousClock.Instant?>(nil)

    /// - Parameter limit: the whole stop's time limit (`shutdown.timeout_ms`).
    init(limit: Duration) {
        self.limit = limit
    }

    /// Notes that the stop has begun; later calls change nothing.
    func begin() {
        started.withLock { if $0 == nil { $0 = .now } }
    }

    /// The moment by which work in flight (the outbox's last round) must be given up, leaving time to
    /// close the clients and the store: a quarter of the limit, at most a second and a half.
    var drainDeadline: ContinuousClock.Instant {
        let start = started.withLock { state -> ContinuousClock.Instant in
            if let state { return state }
            state = .now
            return state!
        }
        return start.advanced(by: limit - closeReserve)
    }

    /// The moment by which everything must be closed.
    var closeDeadline: ContinuousClock.Instant {
        drainDeadline.advanced(by: closeReserve / 2)
    }

    private var closeReserve: Duration {
        min(limit / 4, .milliseconds(1500))
    }
}
