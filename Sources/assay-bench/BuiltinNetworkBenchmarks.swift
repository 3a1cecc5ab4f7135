import AssayLanguage
import AssayNN
import AssayStages
import AssaySupport
import AssayTensor
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Train and inference throughput of the built-in architectures as the stages build
/// them: each model comes from the checker (`SpecNetwork` over its `ModelSpec`), so
/// what is timed is what `assay run` trains. small-cnn, resnet50 and alexnet are
/// declared in `builtinsExperiment`; squeeze-segnet and segnet come from
/// `experiments/segmentation.yaml` itself at a 64×64 canvas. `scripts/bench_torch.py
/// --networks` builds the same networks in PyTorch and reports the same names.
///
/// Environment: `ASSAY_BENCH_NETWORKS` (comma list, default all), `ASSAY_BENCH_STEPS`
/// (timed steps, default 5), `ASSAY_BENCH_BATCH` (overrides every batch size, for a
/// smoke run), `ASSAY_BENCH_THREADS` (workers, default 2), `ASSAY_BENCH_BF16=1` (also
/// `<name>_inference_bf16`: inference with `precision: bf16` products), `ASSAY_BENCH_PEAK=0` (skips the
/// FMA peak probe, whose large GEMMs make a run under callgrind or `perf record` impractical).
enum BuiltinNetworkBenchmarks {
    struct Network {
        let name: String
        let spec: ModelSpec
        let trainBatch: Int
        let inferenceBatch: Int
    }

    static let names = ["small-cnn", "squeeze-segnet", "segnet", "resnet50", "alexnet"]

    static let builtinsExperiment = """
        assay: 1
        name: bench-builtins
        datasets:
          digits: { synthetic: { generator: blobs, classes: 10, shape: [1, 28, 28], samples: { train: 8, test: 8 }, seed: 1 } }
          photos: { synthetic: { generator: blobs, classes: 1000, shape: [3, 224, 224], samples: { train: 8, test: 8 }, seed: 1 } }
        models:
          small-cnn: { small-cnn: {} }
          resnet50: { resnet50: {} }
          alexnet: { alexnet: {} }
        stages:
          small-cnn-fit: { train: { model: small-cnn, data: digits.train, epochs: 1 } }
          resnet50-fit: { train: { model: resnet50, data: photos.train, epochs: 1 } }
          alexnet-fit: { train: { model: alexnet, data: photos.train, epochs: 1 } }
        """

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func run(report: (_ name: String, _ value: Double, _ unit: String) -> Void) {
        let env = ProcessInfo.processInfo.environment
        let wanted = env["ASSAY_BENCH_NETWORKS"].map { Set($0.split(separator: ",").map(String.init)) } ?? Set(names)
        let steps = max(1, Int(env["ASSAY_BENCH_STEPS"] ?? "") ?? 5)
        let batchOverride = Int(env["ASSAY_BENCH_BATCH"] ?? "")
        let workers = max(1, Int(env["ASSAY_BENCH_THREADS"] ?? "") ?? 2)
        let bf16 = env["ASSAY_BENCH_BF16"] == "1"
        TensorThreads.setBLASThreads(1)
        if env["ASSAY_BENCH_PEAK"] != "0" { report("fma_peak_1core", TensorBenchmarks.peakGFLOPS(), "GFLOP/s") }
        let networks: [Network]
        do {
            networks = try load().filter { wanted.contains($0.name) }
        } catch {
            FileHandle.standardError.write(Data("assay-bench: cannot build the built-in networks: \(error)\n".utf8))
            exit(1)
        }
        TensorThreads.withWorkers(workers) {
            for network in networks {
                measure(network, steps: steps, batchOverride: batchOverride, bf16: bf16, report: report)
            }
        }
        report("workers", Double(workers), "threads")
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        report("peak_rss", Double(usage.ru_maxrss) / 1024, "MiB")
    }

    /// The five networks, checked from the experiments.
    static func load() throws -> [Network] {
        let builtins = Checker.check(source: SourceFile(path: repository.appendingPathComponent("bench-builtins.yaml").path, text: builtinsExperiment))
        let segmentationPath = repository.appendingPathComponent("experiments/segmentation.yaml").path
        let segmentation = Checker.check(path: segmentationPath, overrides: [("canvas", "64")])
        func model(_ result: CheckResult, _ name: String) throws -> ModelSpec {
            guard !result.hasErrors, let spec = result.experiments.first?.models[name] else {
                throw BenchError("model `\(name)` does not check: \(result.diagnostics.map { "\($0)" }.joined(separator: "; "))")
            }
            return spec
        }
        return [
            Network(name: "small-cnn", spec: try model(builtins, "small-cnn"), trainBatch: 128, inferenceBatch: 128),
            Network(name: "squeeze-segnet", spec: try model(segmentation, "squeeze"), trainBatch: 16, inferenceBatch: 16),
            Network(name: "segnet", spec: try model(segmentation, "segnet"), trainBatch: 16, inferenceBatch: 16),
            Network(name: "resnet50", spec: try model(builtins, "resnet50"), trainBatch: 32, inferenceBatch: 64),
            Network(name: "alexnet", spec: try model(builtins, "alexnet"), trainBatch: 32, inferenceBatch: 64),
        ]
    }

    /// Reports `<name>_train` and `<name>_inference` (images/s, median step), the GEMM
    /// GFLOP per image of each (counted while running one step), and the batch sizes.
    static func measure(_ network: Network, steps: Int, batchOverride: Int?, bf16: Bool = false,
                        report: (_ name: String, _ value: Double, _ unit: String) -> Void) {
        let spec = network.spec
        guard let model = try? SpecNetwork(spec: spec, seed: 1) else { return }
        let segmentation = spec.outputShape.count == 3
        let optimizer = Adam(model.trainableParameters, learningRate: 1e-4)
        let inferenceBatch = batchOverride ?? network.inferenceBatch
        for (phase, batch) in [("train", batchOverride ?? network.trainBatch), ("inference", inferenceBatch)] + (bf16 ? [("inference_bf16", inferenceBatch)] : []) {
            var rng = SeededRandom(seed: 3)
            let x = Tensor.uniform([batch] + spec.inputShape, rng: &rng)
            let labelCount = segmentation ? batch * spec.outputShape[1] * spec.outputShape[2] : batch
            let labels = (0..<labelCount).map { ($0 / 97) % spec.classes }
            let step: () -> Void = phase == "train"
                ? {
                    model.train()
                    optimizer.zeroGrad()
                    crossEntropy(model(x), targets: labels).backward()
                    optimizer.step()
                }
                : {
                    model.eval()
                    _ = TensorPrecision.withPrecision(phase == "inference_bf16" ? .bf16 : .fp32) { Autograd.withoutGradients { model(x) } }
                }
            let flops = GEMMCounter.counting(step)
            let name = "\(network.name)_\(phase)"
            report(name + "_batch", Double(batch), "images")
            report(name + "_gflop_per_image", Double(flops) / Double(batch) / 1e9, "GFLOP")
            TensorBenchmarks.reportThroughput(name, batch: batch, steps: steps, report: report, step)
        }
    }

    struct BenchError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
