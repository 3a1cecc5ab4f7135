import CBLAS
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// The global, explicit thread setting of the tensor engine.
///
/// Measured on this class of machine (see the engine issue): holding OpenBLAS at
/// one thread and splitting work over `count` workers (batch groups for
/// convolutions, rows for linear layers) beats multi-threaded BLAS, and mixing
/// both lets OpenBLAS's spinning threads steal a core. Results depend only on
/// `count`, never on scheduling: each worker owns a fixed slice and partial sums
/// are merged in worker order.
public enum TensorThreads {
    nonisolated(unsafe) private static var workers = 2
    private static let blasPinned: Void = {
        openblas_set_num_threads(1)
        #if canImport(Glibc)
        // Keep large op buffers on the heap instead of fresh mmap'd pages: training
        // frees and reallocates the same sizes every step, and page faults plus
        // kernel zeroing cost ~15% of a step otherwise.
        // mallopt lives in <malloc.h>, which the Glibc module does not export.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") {
            let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
            _ = mallopt(-3, 32 << 20)  // M_MMAP_THRESHOLD: glibc's maximum, 32 MiB
            _ = mallopt(-1, 1 << 30)   // M_TRIM_THRESHOLD
        }
        #endif
    }()

    /// Worker count used by ops (default 2, the machine's cores). Set it before
    /// training; a different count may change the last bits of results.
    public static var count: Int {
        get { workers }
        set {
            precondition(newValue >= 1, "TensorThreads.count must be at least 1, got \(newValue)")
            workers = newValue
        }
    }

    /// Pins OpenBLAS to one thread (done once, before the first GEMM).
    static func ensureConfigured() { _ = blasPinned }

    /// Sets OpenBLAS's own thread count (benchmarks only; ops expect 1).
    public static func setBLASThreads(_ n: Int) {
        ensureConfigured()
        openblas_set_num_threads(Int32(n))
    }

    /// Runs `body(worker, range)` over `0..<total` cut into `min(count, total)`
    /// contiguous slices, concurrently. The slicing depends only on `total` and
    /// `count`.
    static func forEachSlice(of total: Int, minimumPerWorker: Int = 1, _ body: (Int, Range<Int>) -> Void) {
        let parts = max(1, min(workers, total / max(1, minimumPerWorker)))
        if parts == 1 {
            body(0, 0..<total)
            return
        }
        DispatchQueue.concurrentPerform(iterations: parts) { worker in
            let lo = total * worker / parts
            let hi = total * (worker + 1) / parts
            body(worker, lo..<hi)
        }
    }

    /// Number of slices `forEachSlice` will use for `total` items.
    static func sliceCount(of total: Int, minimumPerWorker: Int = 1) -> Int {
        max(1, min(workers, total / max(1, minimumPerWorker)))
    }
}
