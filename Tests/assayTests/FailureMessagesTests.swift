import Foundation
import XCTest

/// Failures as a user meets them through `assay run`: a full disk, a diverging training, a YAML
/// syntax error with `-p` overrides. Each says what happened in words, with no Foundation dumps.
final class FailureMessagesTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("failure-messages-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func write(_ text: String, _ name: String = "experiment.yaml") throws -> String {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    static let experiment = """
    assay: 1
    name: failures
    params:
      lr: 0.01
      samples: 200
    datasets:
      blobs: { synthetic: { shape: [3, 32, 32], classes: 2, samples: { train: $samples, test: 50 }, seed: 1 } }
    models:
      tiny:
        - conv: { out: 4, kernel: 3, pad: 1 }
        - global-avgpool
        - linear: 2
    stages:
      fit: { train: { model: tiny, data: blobs.train, epochs: 2, optimizer: sgd, lr: $lr } }
    """

    func assertNoDump(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        for dump in ["Domain=", "NSCocoaErrorDomain", "Code=", "could not be completed", "isn’t in the correct format"] {
            XCTAssertFalse(text.contains(dump), text, file: file, line: line)
        }
    }

    /// A store on a 1 MiB tmpfs (needs root to mount; skipped elsewhere): the data stage's artifact does not fit.
    func testAFullDiskSaysDiskFullWithThePath() throws {
        let mountPoint = directory.appendingPathComponent("small-disk")
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["-t", "tmpfs", "-o", "size=1m", "tmpfs", mountPoint.path]
        mount.standardError = FileHandle.nullDevice
        try? mount.run()
        mount.waitUntilExit()
        try XCTSkipUnless(mount.terminationStatus == 0, "cannot mount a tmpfs here (not root?)")
        defer {
            let umount = Process()
            umount.executableURL = URL(fileURLWithPath: "/bin/umount")
            umount.arguments = [mountPoint.path]
            try? umount.run()
            umount.waitUntilExit()
        }
        let file = try write(Self.experiment)
        let run = try AssayProcess.run(["run", file, "-p", "samples=2000", "--store", mountPoint.appendingPathComponent("store").path, "--threads", "2"], in: directory)
        let output = run.stdout + run.stderr
        XCTAssertEqual(run.status, 1, output)
        XCTAssertTrue(output.contains("disk full"), output)
        XCTAssertTrue(output.contains(mountPoint.path), output)
        XCTAssertTrue(output.range(of: #"disk full \([0-9.]+ [KM]iB needed, [0-9.]+ [KM]?i?B free on its file system\)"#, options: .regularExpression) != nil, output)
        assertNoDump(output)
    }

    func testADivergingTrainingNamesTheEpochAndStepAndRecordsNothing() throws {
        let file = try write(Self.experiment)
        let run = try AssayProcess.run(["run", file, "-p", "lr=1e10", "--threads", "2"], in: directory)
        let output = run.stdout + run.stderr
        XCTAssertEqual(run.status, 1, output)
        XCTAssertTrue(output.contains("training diverged at epoch 1, step "), output)
        XCTAssertTrue(output.contains("lower `lr` (it is 1e+10)"), output)
        assertNoDump(output)
        let status = try AssayProcess.run(["status", file, "-p", "lr=1e10"], in: directory)
        XCTAssertTrue(status.stdout.contains("would run: fit"), "the diverged stage must not be cached: \(status.stdout)")
    }

    func testAYAMLSyntaxErrorIsReportedAloneWhateverTheOverrides() throws {
        let file = try write("assay: 1\nparams:\n  lr: 0.01\nstages: [oops\n")
        let check = try AssayProcess.run(["check", file, "-p", "lr=1", "-p", "epochs=2"], in: directory)
        XCTAssertEqual(check.status, 1)
        let output = check.stdout + check.stderr
        XCTAssertTrue(output.contains("yaml-syntax"), output)
        XCTAssertFalse(output.contains("declared parameters"), output)
        XCTAssertFalse(output.contains("unknown-parameter"), output)
    }
}
