import AssayData
import Foundation

/// Data benchmarks: Fashion-MNIST loading, a derived colour/border variant,
/// one epoch of batches, and an artifact write/read round trip.
enum DataBenchmarks {
    static func run(report: (_ name: String, _ value: Double, _ unit: String) -> Void) {
        func seconds(_ body: () throws -> Void) rethrows -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        ImageLoadBenchmarks.run(report: report)
        if ProcessInfo.processInfo.environment["ASSAY_BENCH_IMAGES_ONLY"] == "1" { return }
        do {
            var splits = DatasetSplits()
            report("data.fmnist.load-70k", try seconds { splits = try FashionMNIST.loadAll() }, "s")

            let train = try splits.split("train")
            let binary = try splits.map { _, set in try set.relabeled(.binary(positive: ["t-shirt", "pullover", "coat", "shirt"])) }
            var derived = DatasetSplits()
            report("data.derive.tint-70k", try seconds {
                derived = try binary.injecting(SpuriousAttribute(name: "tint", feature: .tint()), correlations: ["train": 0.95, "test": 0.5], seed: 1)
            }, "s")
            report("data.derive.border-70k", try seconds {
                _ = try binary.injecting(SpuriousAttribute(name: "border", feature: .border(width: 2)), correlations: ["train": 0.95, "test": 0.5], seed: 1)
            }, "s")

            let batchSize = 64
            var buffer = [Float](repeating: 0, count: batchSize * train.shape.count)
            var labels = [Int32](repeating: 0, count: batchSize)
            report("data.epoch.fmnist-60k-b64", seconds {
                let iterator = BatchIterator(dataset: train, batchSize: batchSize, shuffleSeed: 0, epoch: 0)
                buffer.withUnsafeMutableBufferPointer { images in
                    labels.withUnsafeMutableBufferPointer { lb in
                        for b in 0 ..< iterator.batchCount { iterator.fill(batch: b, images: images, labels: lb) }
                    }
                }
            }, "s")
            let tinted = try derived.split("train")
            var rgbBuffer = [Float](repeating: 0, count: batchSize * tinted.shape.count)
            report("data.epoch.tinted-60k-rgb-b64", seconds {
                let iterator = BatchIterator(dataset: tinted, batchSize: batchSize, shuffleSeed: 0, epoch: 0)
                rgbBuffer.withUnsafeMutableBufferPointer { images in
                    for b in 0 ..< iterator.batchCount { iterator.fill(batch: b, images: images, labels: nil) }
                }
            }, "s")

            report("data.scenes.10k-64x64", try seconds {
                _ = try SceneComposer.compose(items: train, count: 10_000, spec: SceneSpec(background: .texture(amplitude: 64)), seed: 0)
            }, "s")

            let url = FileManager.default.temporaryDirectory.appendingPathComponent("assay-bench-\(ProcessInfo.processInfo.processIdentifier).assayds")
            defer { try? FileManager.default.removeItem(at: url) }
            report("data.artifact.encode-tinted-70k", try seconds { _ = try DatasetArtifact.encode(derived) }, "s")
            report("data.artifact.write-tinted-70k", try seconds { try DatasetArtifact.write(derived, to: url) }, "s")
            report("data.artifact.read-tinted-70k", try seconds { _ = try DatasetArtifact.read(from: url) }, "s")
        } catch {
            // The error text goes to standard error; the report line stays valid JSON.
            FileHandle.standardError.write(Data("data benchmarks failed: \(error)\n".utf8))
            report("data.failed", .nan, "")
        }
    }
}
