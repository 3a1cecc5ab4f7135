import AssayData
import AssayEngine
import AssayLanguage
import AssayPlanner
import AssayStages
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `load-image-folder` at scale: a generated Waterbirds-layout folder of N images (500 × 375,
/// CUB's typical size; 15 JPEGs and one PNG in 16, hard links to 64 distinct files so a 40k
/// folder costs no disk) loaded at 224 × 224 through the checker, planner and engine. Each N
/// runs in a child process, so its peak resident memory (`wait4`'s `ru_maxrss`) is its own.
///
/// After the load, two more children on the same store (the load a cache hit): one training epoch of
/// a width-0.25 ResNet-18 on the train split (80%), and a `features` pass of the trained model over
/// every image; each reports its stage's seconds and the child's peak RSS. Their memory should not
/// grow with N: images are read memory-mapped a batch at a time.
///
/// `ASSAY_BENCH_IMAGES=10000,40000` (the default) sets the sizes; `ASSAY_BENCH_IMAGES=64` is a smoke run.
/// `ASSAY_BENCH_IMAGE_SIZE=112` loads at 112 × 112 (at most half the source: JPEGs decode at 1/2 scale).
/// `ASSAY_BENCH_PHASES=load` (default `load,decode,train,features`) picks the children; `decode` is measured
/// in this process: the folder's images decoded and resized (`ImageBatchDecoder`, 2 threads, blocks of 256)
/// with nothing else, the figure the decoder's speed is compared on.
enum ImageLoadBenchmarks {
    static let childFlag = "--image-load-child"
    static let distinct = 64

    static func run(report: (_ name: String, _ value: Double, _ unit: String) -> Void) {
        let sizes = (ProcessInfo.processInfo.environment["ASSAY_BENCH_IMAGES"] ?? "10000,40000").split(separator: ",").compactMap { Int($0) }
        let side = Int(ProcessInfo.processInfo.environment["ASSAY_BENCH_IMAGE_SIZE"] ?? "") ?? 224
        let requested = (ProcessInfo.processInfo.environment["ASSAY_BENCH_PHASES"] ?? "load,decode,train,features").split(separator: ",").map(String.init)
        let phases = requested.filter { Phase(rawValue: $0) != nil }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("assay-bench-images-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            var rss: [String: [Int: Double]] = [:]
            for n in sizes {
                let root = folder.appendingPathComponent("\(n)")
                try makeFolder(root, count: n, side: side)
                if requested.contains("decode") {
                    report("data.image-folder.decode-\(n)-\(side).images-per-s", Double(n) / (try decodeSeconds(root, side: side)), "images/s")
                }
                guard !phases.isEmpty else { continue }
                // The load always runs first: the other phases find its artifacts in the store.
                for phase in [Phase.load] + phases.compactMap(Phase.init).filter({ $0 != .load }) {
                    let (seconds, peakKiB, plannedKiB) = try measureChild(root, phase: phase)
                    let name = "data.image-folder.\(phase.rawValue)-\(n)-\(side)"
                    report("\(name).images-per-s", Double(phase.images(of: n)) / seconds, "images/s")
                    report("\(name).peak-rss", Double(peakKiB) / 1024, "MiB")
                    report("\(name).peak-rss-before-run", Double(plannedKiB) / 1024, "MiB")
                    rss[phase.rawValue, default: [:]][n] = Double(peakKiB)
                }
                try? FileManager.default.removeItem(at: root)
            }
            if let small = sizes.min(), let large = sizes.max(), small < large {
                for (phase, peaks) in rss.sorted(by: { $0.key < $1.key }) {
                    if let a = peaks[small], let b = peaks[large] { report("data.image-folder.\(phase).peak-rss-ratio-\(large)-over-\(small)", b / a, "x") }
                }
            }
            FileHandle.standardError.write(Data("image-folder loads: load average \(CLIBenchmarks.loadAverage()) at the end\n".utf8))
        } catch {
            FileHandle.standardError.write(Data("image-folder load benchmarks failed: \(error)\n".utf8))
            report("data.image-folder.failed", .nan, "")
        }
    }

    /// What a child runs: each phase's experiment adds a stage to the previous one's.
    enum Phase: String {
        case load, train, features

        /// The stage whose duration the child reports.
        var stage: String {
            switch self {
            case .load: return "datasets.birds"
            case .train: return "erm"
            case .features: return "feats"
            }
        }

        /// Images the stage goes through: all of them, or the train split (8 in 10) for training.
        func images(of n: Int) -> Int { self == .train ? (0 ..< n).filter { $0 % 10 < 8 }.count : n }

        /// `load.yaml`, `train.yaml` or `features.yaml` for a folder loaded at `side` × `side`.
        func experiment(side: Int) -> String {
            var text = """
                assay: 1
                datasets:
                  birds:
                    image-folder: { root: ., attributes: [place], classes: [landbird, waterbird], size: [\(side), \(side)] }

                """
            guard self != .load else { return text }
            text += """
                models:
                  resnet: { resnet18: { width: 0.25 } }
                resources: { cpus: 2, memory: 16GiB, time: 24h }
                stages:
                  erm: { train: { model: resnet, data: birds.train, epochs: 1, batch-size: 32, optimizer: sgd, lr: 1e-3, momentum: 0.9, weight-decay: 1e-4, augment: crop-flip } }

                """
            guard self == .features else { return text }
            return text + """
                  feats: { features: { model: erm, data: [birds.train, birds.val, birds.test], layers: [avgpool], normalize: l2, batch-size: 64 } }

                """
        }
    }

    /// `count` images in `NNN.Class/` folders, `metadata.csv` (splits 0/1/2 as 8:1:1) and one experiment per phase.
    static func makeFolder(_ root: URL, count: Int, side: Int) throws {
        let fm = FileManager.default
        let sources = root.appendingPathComponent("sources")
        try fm.createDirectory(at: sources, withIntermediateDirectories: true)
        var originals: [String] = []
        for k in 0 ..< distinct {
            var image = RasterImage(width: 500, height: 375, channels: 3, fill: 0)
            for y in 0 ..< 375 { for x in 0 ..< 500 { for c in 0 ..< 3 {
                image.pixels[(y * 500 + x) * 3 + c] = UInt8(truncatingIfNeeded: (x * (c + 1) + y * (k + 2) + ((x / 16 + y / 16) % 2) * 40 * c) ^ k)
            } } }
            let name = "s\(k)." + (k % 16 == 15 ? "png" : "jpg")
            if k % 16 == 15 { try PNGCodec.write(image, to: sources.appendingPathComponent(name)) } else {
                try JPEGCodec.write(image, to: sources.appendingPathComponent(name), quality: 90)
            }
            originals.append(name)
        }
        var csv = "img_id,img_filename,y,split,place,place_filename\n"
        csv.reserveCapacity(count * 64)
        for i in 0 ..< count {
            let folder = String(format: "%03d.Class_%d", i % 200 + 1, i % 200 + 1)
            if i < 200 { try fm.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true) }
            let original = originals[i % distinct]
            let name = "\(folder)/Bird_\(i).\(original.hasSuffix("png") ? "png" : "jpg")"
            guard link(sources.appendingPathComponent(original).path, root.appendingPathComponent(name).path) == 0 else {
                throw BenchError("cannot link \(name): \(String(cString: strerror(errno)))")
            }
            let split = i % 10 == 8 ? 1 : i % 10 == 9 ? 2 : 0
            csv += "\(i + 1),\(name),\(i % 2),\(split),\((i / 2) % 2),x/\(i).jpg\n"
        }
        try csv.write(to: root.appendingPathComponent("metadata.csv"), atomically: true, encoding: .utf8)
        try fm.removeItem(at: sources)
        for phase in [Phase.load, .train, .features] {
            try phase.experiment(side: side).write(to: root.appendingPathComponent("\(phase.rawValue).yaml"), atomically: true, encoding: .utf8)
        }
    }

    /// Seconds to decode every image of the folder at `root` to `side` × `side` RGB on 2 threads, a block
    /// of 256 at a time into one reused array (as the load stage decodes), in `metadata.csv` order.
    static func decodeSeconds(_ root: URL, side: Int) throws -> Double {
        let rows = try String(contentsOf: root.appendingPathComponent("metadata.csv"), encoding: .utf8).split(separator: "\n").dropFirst()
        let files = rows.map { root.appendingPathComponent(String($0.split(separator: ",")[1])) }
        let preprocessing = ImagePreprocessing(channels: 3, resize: .exact(height: side, width: side))
        let start = DispatchTime.now().uptimeNanoseconds
        try DataWorkers.withWorkers(2) {
            var pixels: [UInt8] = []
            for first in stride(from: 0, to: files.count, by: 256) {
                _ = try ImageBatchDecoder.decode(Array(files[first ..< min(files.count, first + 256)]), preprocessing: preprocessing, into: &pixels)
            }
        }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// Runs this binary as a child running `phase` on `root`; the phase stage's seconds and the child's
    /// peak RSS in KiB. `plannedKiB` is the peak before the run (check and plan).
    static func measureChild(_ root: URL, phase: Phase) throws -> (seconds: Double, peakKiB: Int, plannedKiB: Int) {
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
        // Beside the folder, not in it: a file in it would change the folder's digest, and the next child would load again.
        let output = root.deletingLastPathComponent().appendingPathComponent("child-\(root.lastPathComponent).txt").path
        var pid: pid_t = 0
        let arguments = [me, childFlag, root.path, phase.rawValue, output]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        guard posix_spawn(&pid, me, nil, nil, &argv, environ) == 0 else { throw BenchError("cannot start \(me)") }
        var status: Int32 = 0
        var usage = rusage()
        guard wait4(pid, &status, 0, &usage) == pid, status == 0 else {
            throw BenchError("the \(phase.rawValue) child exited with status \(status): \((try? String(contentsOfFile: output, encoding: .utf8)) ?? "")")
        }
        let fields = (try String(contentsOfFile: output, encoding: .utf8)).split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        guard fields.count == 2, let seconds = Double(fields[0]), let planned = Int(fields[1]) else { throw BenchError("the \(phase.rawValue) child reported no time") }
        return (seconds, Int(usage.ru_maxrss), planned)
    }

    /// The child: checks `root/<phase>.yaml`, plans and runs it on the non-durable store in `root`
    /// (what earlier phases computed is a cache hit), writes the phase stage's duration in seconds to `output`.
    static func child(root: String, phase name: String, output: String) -> Int32 {
        do {
            guard let phase = Phase(rawValue: name) else { throw BenchError("unknown phase \(name)") }
            let checked = Checker.check(path: root + "/\(phase.rawValue).yaml")
            guard !checked.hasErrors, let experiment = checked.experiments.first else { throw BenchError("\(phase.rawValue).yaml does not check: \(checked.diagnostics)") }
            let plan = try Planner(sources: SourceDigests(cacheFile: nil)).lower(experiment)
            // Peak RSS so far: checking and planning (the folder's file list and digests) before any image is decoded.
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            let planned = usage.ru_maxrss
            let engine = Engine(store: try Store(root: URL(fileURLWithPath: root + "/.assay"), durable: false), operators: OperatorCatalog.standard)
            let result = try engine.run(plan, options: RunOptions(jobs: 1, threadsPerStage: 2, recordHistory: false))
            guard result.failed.isEmpty, let stage = result.report(stage: phase.stage), stage.status == .executed else {
                throw BenchError("the \(phase.rawValue) run failed: \(result.stages.map { "\($0.stage): \($0.status)" })")
            }
            // The later phases measure their own stage only: what earlier children computed must be a cache hit.
            if let stale = result.stages.first(where: { $0.stage != phase.stage && $0.status != .hit }) {
                throw BenchError("the \(phase.rawValue) child ran `\(stale.stage)` (\(stale.status)) instead of finding it in the store")
            }
            try "\(stage.duration) \(planned)\n".write(toFile: output, atomically: true, encoding: .utf8)
            return 0
        } catch {
            try? "\(error)".write(toFile: output, atomically: true, encoding: .utf8)
            return 1
        }
    }
}
