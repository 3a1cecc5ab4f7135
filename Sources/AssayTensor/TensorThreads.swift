import CBLAS
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// The tensor engine's worker threads: how many, and how ops cut work among them.
///
/// Measured on this class of machine (see the engine issue): holding OpenBLAS at
/// one thread and splitting work over several workers beats multi-threaded BLAS,
/// and mixing both lets OpenBLAS's spinning threads steal a core.
///
/// Results never depend on the worker count. Ops that call BLAS or reduce across
/// items cut their work into chunks whose boundaries depend only on the problem's
/// shape (`Chunks`); every chunk issues the same BLAS calls whoever runs it, a
/// reduction accumulates per chunk into the chunk's own buffer, and those buffers
/// are merged in chunk order. Workers only decide which chunks run where. Ops whose
/// items are independent and never meet in a sum (elementwise maps, pooling planes,
/// batch-norm channels) may use `forEachSlice`, whose cuts cannot change a value.
///
/// The count is scoped, not global: `withWorkers(n) { … }` sets it for the calls
/// inside (a task-local value, so two stages running at once each see their own).
/// Worker threads do not inherit it; an op reads it once on entry.
public enum TensorThreads {
    /// Workers when no scope sets a count: the machine's two cores.
    public static let defaultCount = 2
    @TaskLocal private static var scoped: Int?

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

    /// Worker count ops use here: the innermost `withWorkers` scope's, else `defaultCount`.
    public static var count: Int { scoped ?? defaultCount }

    /// Runs `body` with ops using `workers` threads. Changes speed only, never results.
    public static func withWorkers<R>(_ workers: Int, _ body: () throws -> R) rethrows -> R {
        precondition(workers >= 1, "TensorThreads.withWorkers needs at least 1 worker, got \(workers)")
        return try $scoped.withValue(workers, operation: body)
    }

    /// Pins OpenBLAS to one thread (done once, before the first GEMM).
    static func ensureConfigured() { _ = blasPinned }

    /// Sets OpenBLAS's own thread count (benchmarks only; ops expect 1).
    public static func setBLASThreads(_ n: Int) {
        ensureConfigured()
        openblas_set_num_threads(Int32(n))
    }

    /// Runs every chunk index in `0..<chunks` on up to `workers` threads. Worker w
    /// receives chunks w, w + parts, w + 2·parts, … (to allocate scratch once);
    /// what a chunk computes must depend only on its index.
    static func forEachChunk(_ chunks: Int, workers: Int, _ body: (StrideTo<Int>) -> Void) {
        let parts = max(1, min(workers, chunks))
        if parts == 1 {
            body(stride(from: 0, to: chunks, by: 1))
            return
        }
        DispatchQueue.concurrentPerform(iterations: parts) { worker in
            body(stride(from: worker, to: chunks, by: parts))
        }
    }

    /// Runs `body(range)` over `0..<total` cut into one slice per worker. Only for
    /// work whose items are independent (no BLAS, no sums across items): the cuts
    /// depend on the worker count, the values must not. Public for elementwise
    /// updates outside this module (optimiser steps).
    public static func forEachSlice(of total: Int, minimumPerWorker: Int = 1, _ body: (Range<Int>) -> Void) {
        let parts = max(1, min(count, total / max(1, minimumPerWorker)))
        if parts == 1 {
            body(0..<total)
            return
        }
        DispatchQueue.concurrentPerform(iterations: parts) { worker in
            body((total * worker / parts)..<(total * (worker + 1) / parts))
        }
    }
}

/// `total` items cut into contiguous chunks whose boundaries depend only on
/// `total` and the op's fixed parameters, never on the worker count.
struct Chunks {
    let total: Int
    let size: Int

    /// Chunks of exactly `size` items (the last may be shorter).
    init(_ total: Int, size: Int) {
        self.total = total
        self.size = max(1, size)
    }

    /// About `target` chunks, each a multiple of `align` items (at least `align`).
    init(_ total: Int, target: Int, align: Int = 1) {
        let even = (total + target - 1) / max(1, target)
        self.init(total, size: max(align, (even + align - 1) / align * align))
    }

    var count: Int { (total + size - 1) / size }

    func range(_ chunk: Int) -> Range<Int> { (chunk * size)..<min(total, (chunk + 1) * size) }
}

/// A reduction over `parts` items split into at most `limit` chunks (each a
/// contiguous run of parts, fixed by `parts` alone), so per-chunk accumulators
/// stay few for large weights while workers still share the work.
struct ReductionChunks {
    /// Per-chunk accumulators a reduction may hold: enough to feed 8 workers.
    static let limit = 8

    let parts: Int
    var count: Int { max(1, min(Self.limit, parts)) }

    func range(_ chunk: Int) -> Range<Int> { (parts * chunk / count)..<(parts * (chunk + 1) / count) }
}
