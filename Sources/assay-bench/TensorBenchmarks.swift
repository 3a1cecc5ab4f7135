import AssayNN
import AssaySupport
import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Throughput of the tensor engine: the FMA peak probe, BLAS and convolution
/// efficiency (the kernels), then the built-in networks as the stages build them
/// (`BuiltinNetworkBenchmarks`). `scripts/bench_torch.py` reports the same metric
/// names for PyTorch; `scripts/bench-compare.sh` alternates the two.
/// `ASSAY_BENCH_KERNELS=0` skips the kernels; `ASSAY_BENCH_FILTER=conv_fwd_bwd_1worker`
/// (or `_2workers`) runs that one measurement alone, e.g. under callgrind.
enum TensorBenchmarks {
    static func run(report: (_ name: String, _ value: Double, _ unit: String) -> Void) {
        let env = ProcessInfo.processInfo.environment
        if let filter = env["ASSAY_BENCH_FILTER"] {
            for (name, workers) in [("conv_fwd_bwd_1worker", 1), ("conv_fwd_bwd_2workers", 2)] where name.contains(filter) {
                TensorThreads.setBLASThreads(1)
                report(name, convGFLOPS(workers: workers), "GFLOP/s")
            }
            return
        }
        if env["ASSAY_BENCH_KERNELS"] != "0" {
            let sgemm1 = sgemmGFLOPS(threads: 1)
            report("sgemm_1thread", sgemm1, "GFLOP/s")
            report("sgemm_2threads", sgemmGFLOPS(threads: 2), "GFLOP/s")
            TensorThreads.setBLASThreads(1)
            let conv = convGFLOPS(workers: 1)
            report("conv_fwd_bwd_1worker", conv, "GFLOP/s")
            report("conv_fwd_bwd_2workers", convGFLOPS(workers: 2), "GFLOP/s")
            report("conv_efficiency_vs_sgemm_1thread", conv / sgemm1, "ratio")
        }
        BuiltinNetworkBenchmarks.run(report: report)
    }

    // MARK: measurements

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// Wall-clock images/s (median step) and images per CPU-second of the whole
    /// process (all threads; robust when other jobs share the cores).
    static func throughput(batch: Int, steps: Int, _ step: () -> Void) -> (wall: Double, perCPUSecond: Double) {
        step()
        step()
        var times: [Double] = []
        let cpuStart = cpuSeconds()
        for _ in 0..<steps {
            let start = now()
            step()
            times.append(now() - start)
        }
        let cpu = cpuSeconds() - cpuStart
        return (Double(batch) / times.sorted()[times.count / 2], Double(batch * steps) / cpu)
    }

    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// Reports `name` (wall images/s) and `name_per_cpu_second`.
    static func reportThroughput(_ name: String, batch: Int, steps: Int,
                                 report: (_ name: String, _ value: Double, _ unit: String) -> Void, _ step: () -> Void) {
        let t = throughput(batch: batch, steps: steps, step)
        report(name, t.wall, "images/s")
        report(name + "_per_cpu_second", t.perCPUSecond, "images/cpu-s")
    }

    /// The FMA peak probe: the best single-thread sgemm GFLOP/s over square sizes
    /// 256–2048 (OpenBLAS's AVX-512 kernel is a tight FMA loop; its best is the
    /// reachable peak of one core).
    static func peakGFLOPS() -> Double {
        let best = [256, 512, 1024, 2048].map { sgemmGFLOPS(threads: 1, size: $0) }.max()!
        TensorThreads.setBLASThreads(1)
        return best
    }

    static func sgemmGFLOPS(threads: Int, size n: Int = 1024) -> Double {
        TensorThreads.setBLASThreads(threads)
        var rng = SeededRandom(seed: 9)
        let a = Tensor.normal([n, n], rng: &rng).data, b = Tensor.normal([n, n], rng: &rng).data
        var c = [Float](repeating: 0, count: n * n)
        BLASKernel.multiply(a, b, into: &c, m: n, n: n, k: n)
        var best = Double.infinity
        for _ in 0..<5 {
            let start = now()
            BLASKernel.multiply(a, b, into: &c, m: n, n: n, k: n)
            best = min(best, now() - start)
        }
        return 2 * Double(n * n * n) / best / 1e9
    }

    /// conv2 of the small CNN (32→64, 3x3, 14x14, batch 128), forward + both
    /// backward GEMMs (3 × 2·N·F·K·L flops), on `workers` workers.
    static func convGFLOPS(workers: Int) -> Double {
        TensorThreads.withWorkers(workers) { convGFLOPS() }
    }

    private static func convGFLOPS() -> Double {
        var rng = SeededRandom(seed: 4)
        let x = Tensor.normal([128, 32, 14, 14], rng: &rng).requiringGrad()
        let w = Tensor.normal([64, 32, 3, 3], std: 0.05, rng: &rng).requiringGrad()
        let flops = 3 * 2 * Double(128 * 64 * 32 * 9 * 14 * 14)
        let seed = [Float](repeating: 1, count: 128 * 64 * 14 * 14)  // d loss / d output
        // Best of several runs, the same statistic as the sgemm figure it is divided by.
        var best = Double.infinity
        for _ in 0..<6 {
            x.grad = nil
            w.grad = nil
            let start = now()
            conv2d(x, weight: w, bias: nil, padding: 1).backward(seed: seed)
            best = min(best, now() - start)
        }
        return flops / best / 1e9
    }
}
