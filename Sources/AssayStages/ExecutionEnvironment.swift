import AssayEngine
import AssayTensor
import Foundation

/// Where a stage executed, recorded in its action record (never in its key: the same stage
/// has the same key on every machine): Assay's version and source commit, the BLAS library
/// and the kernels it chose, the CPU model and its widest vector instruction set. The
/// stage's thread count is added per job by the engine.
public enum ExecutionEnvironment {
    /// Assay's release version (also `assay --version`).
    public static let assayVersion = "0.19.0"

    /// Computed once per process, the first time a stage executes (a no-op run never asks).
    public static let current: [String: String] = {
        var out = [
            "assay-version": assayVersion,
            "blas": BLASLibrary.configuration,
            "blas-core": BLASLibrary.coreName,
            "cpu": cpuModel() ?? "unknown",
            "instruction-set": instructionSet(),
        ]
        // The commit of the checkout this binary was built from, while that checkout exists.
        if let commit = GitCommit.lookup(nearFile: #filePath) { out["assay-commit"] = commit }
        return out
    }()

    static func cpuInfo() -> String {
        (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    }

    /// `model name` (x86) or `CPU part`/`Model` lines of /proc/cpuinfo, the first core's.
    static func cpuModel() -> String? {
        for line in cpuInfo().split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2, ["model name", "Model", "cpu model"].contains(parts[0]), !parts[1].isEmpty { return parts[1] }
        }
        return nil
    }

    /// The machine architecture and the widest SIMD extension the CPU reports, e.g. `x86_64 avx512f`.
    static func instructionSet() -> String {
        var name = utsname()
        uname(&name)
        let machine = withUnsafeBytes(of: &name.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        var flags = Set<Substring>()
        for line in cpuInfo().split(separator: "\n") where line.hasPrefix("flags") || line.hasPrefix("Features") {
            flags = Set(line.split(separator: ":", maxSplits: 1).last?.split(separator: " ") ?? [])
            break
        }
        let widest = ["avx512f", "avx2", "avx", "sse4_2", "sve", "asimd", "neon"].first { flags.contains(Substring($0)) }
        return widest.map { "\(machine) \($0)" } ?? machine
    }
}
