import Synchronization

/// A flag that can be set exactly once, from any thread.
final class Latch: Sendable {
    private let state = Atomic<Bool>(false)

    /// Sets the flag; returns `true` only for the call that set it.
    @discardableResult
    func trip() -> Bool {
        state.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
    }

    /// Whether the flag has been set.
    var isTripped: Bool { state.load(ordering: .acquiring) }
}
