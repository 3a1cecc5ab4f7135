import CBLAS

/// The BLAS this build is linked against, as it describes itself (recorded with every stage:
/// the last bits of a result can depend on the kernel OpenBLAS picked for the CPU).
public enum BLASLibrary {
    /// OpenBLAS's build configuration, e.g. `OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64`.
    public static var configuration: String { openblas_get_config().map { String(cString: $0) } ?? "unknown BLAS" }
    /// The kernel family OpenBLAS selected at run time for this CPU, e.g. `Haswell`.
    public static var coreName: String { openblas_get_corename().map { String(cString: $0) } ?? "unknown" }
}

extension BLASLibrary {
    /// Whether this process has loaded OpenBLAS: it is opened on the first matrix product
    /// (`Sources/CBLAS`), so commands that compute nothing never pay for it.
    public static var isLoaded: Bool { assay_blas_is_loaded() != 0 }
}
