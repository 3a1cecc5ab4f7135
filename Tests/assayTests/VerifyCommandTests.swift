import Foundation
import XCTest

/// `assay verify`, `run --verify`, a rebuilt history and resumed training, run as a user runs
/// them: the built `assay` binary on a small experiment.
final class VerifyCommandTests: XCTestCase {
    var directory: URL!
    var file: String { directory.appendingPathComponent("exp.yaml").path }
    var store: String { directory.appendingPathComponent(".assay").path }

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("verify-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Self.experiment.write(toFile: file, atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    static let experiment = """
    assay: 1
    name: verify-cli
    params:
      epochs: 2
    datasets:
      blobs: { synthetic: { shape: [1, 8, 8], classes: 2, samples: { train: 64, test: 32 }, seed: 1 } }
    models:
      net:
        - flatten
        - fc: { linear: 2 }
    stages:
      fit: { train: { model: net, data: blobs.train, epochs: $epochs, batch-size: 16 } }
      scored: { evaluate: { model: fit, data: blobs.test } }
    """

    func assay(_ arguments: String...) throws -> AssayProcess.Outcome {
        try AssayProcess(directory: directory).run(arguments)
    }

    /// The object file of a stage's output, from `assay show STAGE`.
    func outputPath(_ stage: String, _ output: String) throws -> String {
        let show = try assay("show", stage, "--store", store)
        let line = try XCTUnwrap(show.stdout.split(separator: "\n").first { $0.hasPrefix("output \(output): ") }, show.stdout)
        return String(line.dropFirst("output \(output): ".count))
    }

    /// Flips one byte in the middle of a file and puts its modification time back.
    func flipByteKeepingTimestamp(_ path: String) throws {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        var info = stat()
        XCTAssertEqual(stat(path, &info), 0)
        chmod(path, 0o644)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: path))
        var times = [info.st_atim, info.st_mtim]
        XCTAssertEqual(utimensat(AT_FDCWD, path, &times, 0), 0)
        chmod(path, 0o444)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date, attributes[.modificationDate] as? Date)
    }

    /// The action record file of the (only) record of `stage`.
    func recordPath(_ stage: String) throws -> String {
        let actions = URL(fileURLWithPath: store).appendingPathComponent("actions")
        for shard in try FileManager.default.contentsOfDirectory(atPath: actions.path) {
            for name in try FileManager.default.contentsOfDirectory(atPath: actions.appendingPathComponent(shard).path) {
                let path = actions.appendingPathComponent(shard).appendingPathComponent(name).path
                if try String(contentsOfFile: path, encoding: .isoLatin1).contains("\nstage \(stage)\n") { return path }
            }
        }
        throw XCTSkip("no record of \(stage)")
    }

    func testVerifyFindsAFlippedByteAndAnEditedMetricRemovesThemAndTheNextRunRebuilds() throws {
        XCTAssertEqual(try assay("run", file, "--threads", "1").status, 0)
        let clean = try assay("verify", "--store", store)
        XCTAssertEqual(clean.status, 0, clean.stdout + clean.stderr)
        XCTAssertTrue(clean.stdout.contains("all intact"), clean.stdout)
        XCTAssertTrue(clean.stdout.contains("is sound"), clean.stdout)

        // An edited metric is refused by a plain run, with a word, and recomputed.
        let record = try recordPath("scored")
        let text = try String(contentsOfFile: record, encoding: .isoLatin1)
        let metric = try XCTUnwrap(text.split(separator: "\n").first { $0.hasPrefix("metric accuracy ") })
        let edited = text.replacingOccurrences(of: String(metric), with: "metric accuracy 0.999")
        try edited.write(toFile: record, atomically: false, encoding: .isoLatin1)
        let refused = try assay("run", file, "--threads", "1")
        XCTAssertTrue(refused.stderr.contains("the cache record of `scored` was refused: its checksum does not match"), refused.stderr)
        XCTAssertTrue(refused.stdout.contains("1 executed"), refused.stdout)
        XCTAssertTrue(try String(contentsOfFile: record, encoding: .isoLatin1).contains(metric + "\n"), "recomputed: the recorded metric again")

        let model = try outputPath("fit", "model")
        try flipByteKeepingTimestamp(model)
        try edited.write(toFile: record, atomically: false, encoding: .isoLatin1)

        let damaged = try assay("verify", "--store", store)
        XCTAssertEqual(damaged.status, 1, damaged.stdout + damaged.stderr)
        XCTAssertTrue(damaged.stdout.contains("1 corrupt, removed"), damaged.stdout)
        XCTAssertTrue(damaged.stdout.contains("`scored`"), damaged.stdout)
        XCTAssertTrue(damaged.stdout.contains("checksum does not match its contents"), damaged.stdout)
        XCTAssertTrue(damaged.stdout.contains("`fit`") && damaged.stdout.contains("was corrupt and removed"), damaged.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: model))
        let again = try assay("verify", "--store", store)
        XCTAssertEqual(again.status, 0, again.stdout)

        let rerun = try assay("run", file, "--threads", "1")
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        XCTAssertTrue(rerun.stdout.contains("2 executed"), rerun.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: model), "the same bytes are back")
    }

    func testRunVerifyRehashesWhatAStatCheckTrusts() throws {
        XCTAssertEqual(try assay("run", file, "--threads", "1").status, 0)
        let model = try outputPath("fit", "model")
        try flipByteKeepingTimestamp(model)
        let trusting = try assay("run", file, "--threads", "1")
        XCTAssertTrue(trusting.stdout.contains("0 executed"), "a stat check cannot see it: \(trusting.stdout)")
        let verified = try assay("run", file, "--threads", "1", "--verify")
        XCTAssertEqual(verified.status, 0, verified.stderr)
        XCTAssertTrue(verified.stderr.contains("was corrupt"), verified.stderr)
        XCTAssertTrue(verified.stdout.contains("1 executed"), verified.stdout)
        XCTAssertEqual(try assay("verify", "--store", store).status, 0, "the object was rebuilt with its right bytes")
    }

    func testACorruptHistoryIsRebuiltAndLogShowStatusAndRunWork() throws {
        XCTAssertEqual(try assay("run", file, "--threads", "1").status, 0)
        XCTAssertEqual(try assay("run", file, "--threads", "1", "-p", "epochs=3").status, 0)
        let history = store + "/history.sqlite"
        for path in [history, history + "-wal"] where FileManager.default.fileExists(atPath: path) {
            let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
            handle.write(Data(repeating: 0x5A, count: 4096))
            try handle.close()
        }
        let log = try assay("log", "--store", store)
        XCTAssertEqual(log.status, 0, log.stderr)
        XCTAssertTrue(log.stderr.contains("warning: the run history"), log.stderr)
        XCTAssertTrue(log.stderr.contains("rebuilt from 2 run records"), log.stderr)
        XCTAssertEqual(log.stdout.split(separator: "\n").count, 2, log.stdout)
        XCTAssertTrue(log.stdout.contains("succeeded"), log.stdout)
        let show = try assay("show", "last", "--store", store)
        XCTAssertEqual(show.status, 0, show.stderr)
        XCTAssertTrue(show.stdout.contains("scored") && show.stdout.contains("accuracy="), show.stdout)
        XCTAssertFalse(show.stderr.contains("warning"), "said once: \(show.stderr)")
        XCTAssertEqual(try assay("status", "--store", store).status, 0)
        let run = try assay("run", file, "--threads", "1")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("0 executed"), run.stdout)
        XCTAssertEqual(try assay("log", "--store", store).stdout.split(separator: "\n").count, 3)
    }

    func testReexecuteRunsRecordedStagesAgainAndComparesTheirBytes() throws {
        XCTAssertEqual(try assay("run", file, "--threads", "1").status, 0)
        let named = try assay("verify", "--store", store, "--reexecute", "fit", "scored", "--threads", "1")
        XCTAssertEqual(named.status, 0, named.stdout + named.stderr)
        XCTAssertTrue(named.stdout.contains("`fit` (train"), named.stdout)
        XCTAssertEqual(named.stdout.components(separatedBy: ": equal").count - 1, 2, named.stdout)
        let sample = try assay("verify", "--store", store, "--reexecute", "3", "--threads", "1")
        XCTAssertEqual(sample.status, 0, sample.stdout)
        XCTAssertTrue(sample.stdout.contains("re-executing 3 recorded stages"), sample.stdout)
        let unknown = try assay("verify", "--store", store, "--reexecute", "fitt")
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(unknown.stderr.contains("no cache record of `fitt`"), unknown.stderr)
    }

    func testResumedTrainingSaysAfterWhichEpoch() throws {
        let process = Process()
        process.executableURL = AssayProcess.executable
        process.arguments = ["run", file, "--threads", "1", "-p", "epochs=1000"]
        process.currentDirectoryURL = directory
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let checkpoints = store + "/checkpoints"
        let deadline = Date().addingTimeInterval(60)
        func saved() -> Bool {
            ((try? FileManager.default.contentsOfDirectory(atPath: checkpoints)) ?? []).contains {
                FileManager.default.fileExists(atPath: checkpoints + "/" + $0 + "/checkpoint")
            }
        }
        while !saved() && process.isRunning && Date() < deadline { usleep(20_000) }
        XCTAssertTrue(saved(), "training saved a checkpoint")
        process.interrupt()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 130)
        let resumed = try assay("run", file, "--threads", "1", "-p", "epochs=1000")
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertNotNil(resumed.stderr.range(of: #"fit: resumed after epoch [1-9][0-9]*\n"#, options: .regularExpression), resumed.stderr)
        XCTAssertEqual(resumed.stderr.components(separatedBy: "start fit").count - 1, 1, resumed.stderr)
    }
}
