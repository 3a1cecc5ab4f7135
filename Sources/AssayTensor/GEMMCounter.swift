#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Counts the floating-point operations of the engine's GEMMs (2·m·n·k each) and oneDNN
/// convolutions (as the GEMM each replaces) while
/// a benchmark asks, so throughput can be stated in GFLOP/s against the machine's
/// peak. Off otherwise: one branch per GEMM.
public enum GEMMCounter {
    nonisolated(unsafe) static var enabled = false
    nonisolated(unsafe) private static var total = 0
    private static let lock: UnsafeMutablePointer<pthread_mutex_t> = {
        let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        return mutex
    }()

    static func add(_ flops: Int) {
        pthread_mutex_lock(lock)
        total += flops
        pthread_mutex_unlock(lock)
    }

    /// Runs `body` and returns the GEMM flops it performed (not reentrant; benchmarks only).
    public static func counting(_ body: () -> Void) -> Int {
        total = 0
        enabled = true
        body()
        enabled = false
        return total
    }
}
