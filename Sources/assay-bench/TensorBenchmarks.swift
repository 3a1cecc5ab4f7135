import AssayNN
import AssaySupport
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Throughput of the tensor engine: BLAS, two reference networks (training and
/// inference), convolution efficiency and peak memory. `scripts/bench_torch.py`
/// reports the same metric names for PyTorch.
enum TensorBenchmarks {
    /// Runs every measurement, or only those whose name contains `ASSAY_BENCH_FILTER`.
    static func run(report: (_ name: String, _ value: Double, _ unit: String) -> Void) {
        let filter = getenv("ASSAY_BENCH_FILTER").map { String(cString: $0) }
        func wanted(_ name: String) -> Bool { filter.map { name.contains($0) || $0.contains(name) } ?? true }
        guard filter == nil else {
            runFiltered(wanted, report: report)
            return
        }
        let sgemm1 = sgemmGFLOPS(threads: 1)
        report("sgemm_1thread", sgemm1, "GFLOP/s")
        report("sgemm_2threads", sgemmGFLOPS(threads: 2), "GFLOP/s")
        TensorThreads.setBLASThreads(1)

        let conv = convGFLOPS(workers: 1)
        report("conv_fwd_bwd_1worker", conv, "GFLOP/s")
        report("conv_fwd_bwd_2workers", convGFLOPS(workers: 2), "GFLOP/s")
        report("conv_efficiency_vs_sgemm_1thread", conv / sgemm1, "ratio")

        let cnn = makeSmallCNN()
        let cnnInput = randomImages(batch: 128, channels: 1, size: 28, seed: 1)
        let cnnLabels = (0..<128).map { $0 % 10 }
        reportThroughput("small_cnn_train", batch: 128, steps: 12, report: report) { trainStep(cnn, cnnInput, cnnLabels) }
        reportThroughput("small_cnn_inference", batch: 128, steps: 20, report: report) { inferenceStep(cnn, cnnInput) }

        let segnet = SqueezeSegNetLike(classes: 11, seed: 2)
        let segInput = randomImages(batch: 16, channels: 1, size: 64, seed: 3)
        let segLabels = (0..<(16 * 64 * 64)).map { ($0 / 97) % 11 }
        reportThroughput("squeeze_segnet_train", batch: 16, steps: 6, report: report) { trainStep(segnet, segInput, segLabels) }
        reportThroughput("squeeze_segnet_inference", batch: 16, steps: 10, report: report) { inferenceStep(segnet, segInput) }

        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        report("peak_rss", Double(usage.ru_maxrss) / 1024, "MiB")
    }

    static func runFiltered(_ wanted: (String) -> Bool, report: (_ name: String, _ value: Double, _ unit: String) -> Void) {
        TensorThreads.setBLASThreads(1)
        if wanted("conv_fwd_bwd") {
            report("conv_fwd_bwd_1worker", convGFLOPS(workers: 1), "GFLOP/s")
            report("conv_fwd_bwd_2workers", convGFLOPS(workers: 2), "GFLOP/s")
        }
        if wanted("small_cnn") {
            let cnn = makeSmallCNN()
            let x = randomImages(batch: 128, channels: 1, size: 28, seed: 1)
            let labels = (0..<128).map { $0 % 10 }
            if wanted("small_cnn_train") { reportThroughput("small_cnn_train", batch: 128, steps: 30, report: report) { trainStep(cnn, x, labels) } }
            if wanted("small_cnn_inference") { reportThroughput("small_cnn_inference", batch: 128, steps: 30, report: report) { inferenceStep(cnn, x) } }
        }
        if wanted("squeeze_segnet") {
            let segnet = SqueezeSegNetLike(classes: 11, seed: 2)
            let x = randomImages(batch: 16, channels: 1, size: 64, seed: 3)
            let labels = (0..<(16 * 64 * 64)).map { ($0 / 97) % 11 }
            if wanted("squeeze_segnet_train") { reportThroughput("squeeze_segnet_train", batch: 16, steps: 10, report: report) { trainStep(segnet, x, labels) } }
            if wanted("squeeze_segnet_inference") { reportThroughput("squeeze_segnet_inference", batch: 16, steps: 10, report: report) { inferenceStep(segnet, x) } }
        }
    }

    // MARK: measurements

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// Median over `steps` timed calls after two warm-up calls.
    static func imagesPerSecond(batch: Int, steps: Int, _ step: () -> Void) -> Double {
        throughput(batch: batch, steps: steps, step).wall
    }

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

    static func sgemmGFLOPS(threads: Int) -> Double {
        TensorThreads.setBLASThreads(threads)
        let n = 1024
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

    static func randomImages(batch: Int, channels: Int, size: Int, seed: UInt64) -> Tensor {
        var rng = SeededRandom(seed: seed)
        return Tensor.uniform([batch, channels, size, size], rng: &rng)
    }

    static func trainStep(_ model: Module, _ x: Tensor, _ labels: [Int]) {
        model.train()
        model.zeroGrad()
        let loss = crossEntropy(model(x), targets: labels)
        loss.backward()
        // An SGD update, so the step costs what a training step costs.
        for p in model.parameters {
            guard let g = p.grad else { continue }
            for i in 0..<p.count { p.data[i] -= 1e-4 * g[i] }
        }
    }

    static func inferenceStep(_ model: Module, _ x: Tensor) {
        model.eval()
        _ = Autograd.withoutGradients { model(x) }
    }

    // MARK: models

    /// conv3x3 32 → ReLU → maxpool 2 → conv3x3 64 → ReLU → maxpool 2 → linear 128 → ReLU → linear 10.
    static func makeSmallCNN() -> Module {
        var rng = SeededRandom(seed: 1)
        return Sequential(
            Conv2d(1, 32, kernel: 3, padding: 1, rng: &rng), ReLU(), MaxPool2d(kernel: 2),
            Conv2d(32, 64, kernel: 3, padding: 1, rng: &rng), ReLU(), MaxPool2d(kernel: 2),
            Flatten(), Linear(64 * 7 * 7, 128, rng: &rng), ReLU(), Linear(128, 10, rng: &rng))
    }
}

/// A Squeeze-SegNet-like encoder–decoder at full SqueezeNet 1.0 widths: conv 7x7/2
/// (96) → maxpool 3x3/2 (indices) → Fire2–4 → maxpool → Fire5–8 → maxpool → Fire9
/// → conv 1x1; the decoder mirrors each Fire(in; s, e, e) with a squeeze-decoder
/// (expand s + s, squeeze back to `in`), unpools with the stored indices, and a
/// 2x2/2 transposed conv gives one channel per class. Mirrored in bench_torch.py.
final class SqueezeSegNetLike: Module {
    let pools: [MaxPool2d]

    init(classes: Int, seed: UInt64) {
        var rng = SeededRandom(seed: seed)
        pools = (0..<3).map { _ in MaxPool2d(kernel: 3, stride: 2, ceilMode: true) }
        super.init()
        let fires: [(Int, Int, Int)] = [(96, 16, 64), (128, 16, 64), (128, 32, 128), (256, 32, 128),
                                        (256, 48, 192), (384, 48, 192), (384, 64, 256), (512, 64, 256)]
        var encoder: [(String, Module)] = [("conv1", Conv2d(1, 96, kernel: 7, stride: 2, padding: 3, rng: &rng)), ("relu1", ReLU()), ("pool1", pools[0])]
        for (i, (inC, s, e)) in fires.enumerated() {
            encoder.append(("fire\(i + 2)", Fire(inC, squeeze: s, expand1x1: e, expand3x3: e, rng: &rng)))
            if i == 2 { encoder.append(("pool2", pools[1])) }
            if i == 6 { encoder.append(("pool3", pools[2])) }
        }
        encoder.append(("conv10", Conv2d(512, 512, kernel: 1, rng: &rng)))
        encoder.append(("relu10", ReLU()))
        var decoder: [(String, Module)] = []
        for (i, (inC, s, e)) in fires.enumerated().reversed() {
            decoder.append(("dec\(i + 2)", SqueezeDecoder(2 * e, expand1x1: s, expand3x3: s, squeeze: inC, rng: &rng)))
            if i == 7 { decoder.append(("unpool3", MaxUnpool2d(pairedWith: pools[2]))) }
            if i == 3 { decoder.append(("unpool2", MaxUnpool2d(pairedWith: pools[1]))) }
        }
        decoder.append(("unpool1", MaxUnpool2d(pairedWith: pools[0])))
        decoder.append(("classifier", ConvTranspose2d(96, classes, kernel: 2, stride: 2, rng: &rng)))
        register("encoder", Sequential(named: encoder))
        register("decoder", Sequential(named: decoder))
    }

    override func forward(_ x: Tensor) -> Tensor {
        module(at: "decoder")!(module(at: "encoder")!(x))
    }
}
