import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Turns SIGTERM into a flag a running stage polls, for `assay run-stage`:
/// `scancel` sends SIGTERM and waits (`KillWait`, 30 s by default) before
/// SIGKILL, so an operator that checks for cancellation stops cleanly and
/// the stage ends as cancelled instead of being killed mid-write.
///
/// Creating one replaces the process's SIGTERM handling until `stop()`; meant
/// for the job process only, never for a coordinator.
public final class TerminationRequest: @unchecked Sendable {
    private let lock = NSLock()
    private var requested = false
    private let source: DispatchSourceSignal

    public init() {
        // The default action would end the process before the source sees it.
        signal(SIGTERM, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGTERM, queue: .global())
        source.setEventHandler { [weak self] in
            guard let self else { return }
            self.lock.withLock { self.requested = true }
        }
        // Registration happens on a dispatch queue; a SIGTERM arriving before
        // it would be lost (ignored), so wait for it.
        let registered = DispatchSemaphore(value: 0)
        source.setRegistrationHandler { registered.signal() }
        source.resume()
        _ = registered.wait(timeout: .now() + 5)
    }

    /// True once SIGTERM arrived.
    public var isRequested: Bool { lock.withLock { requested } }

    /// Gives SIGTERM its default action back.
    public func stop() {
        source.cancel()
        signal(SIGTERM, SIG_DFL)
    }
}
