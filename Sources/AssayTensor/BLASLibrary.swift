import CBLAS
#if canImport(Glibc)
import Glibc
#endif

/// The BLAS this build is linked against, as it describes itself (recorded with every stage:
/// the last bits of a result can depend on the kernel OpenBLAS picked for the CPU).
public enum BLASLibrary {
    /// OpenBLAS's build configuration, e.g. `OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64`.
    public static var configuration: String { openblas_get_config().map { String(cString: $0) } ?? "unknown BLAS" }
    /// The kernel family OpenBLAS selected at run time for this CPU, e.g. `Haswell`.
    public static var coreName: String { openblas_get_corename().map { String(cString: $0) } ?? "unknown" }
}

extension BLASLibrary {
    /// Stops the worker threads OpenBLAS starts when it is loaded. Assay runs OpenBLAS on one
    /// thread (see ``TensorThreads``), so they only wait — spinning on `sched_yield` for their
    /// first stretch — and a command that multiplies no matrix (check, plan, a no-op run) paid
    /// most of a core for them. OpenBLAS starts them again if more BLAS threads are asked for.
    public static func stopIdleThreads() {
        typealias Shutdown = @convention(c) () -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "blas_thread_shutdown_") else { return }
        _ = unsafeBitCast(symbol, to: Shutdown.self)()
    }
}
