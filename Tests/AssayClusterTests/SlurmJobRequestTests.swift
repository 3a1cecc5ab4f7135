import XCTest
@testable import AssayCluster

final class SlurmJobRequestTests: XCTestCase {
    func testMinimalRequestAsksForNothingButTheScript() {
        let request = SlurmJobRequest(name: "train", scriptPath: "/s/job.sh", outputPath: "/s/job.out", killOnInvalidDependency: false)
        XCTAssertEqual(request.sbatchArguments, ["--parsable", "--job-name=train", "--output=/s/job.out", "/s/job.sh"])
    }

    func testFullRequestPassesEveryResourceDependencyAndKillOnInvalidDep() {
        let request = SlurmJobRequest(
            name: "assay:erm seed=1",
            scriptPath: "/store/jobs/a b.sh",
            outputPath: "/store/jobs/a b.out",
            workingDirectory: "/work dir",
            resources: SlurmResources(cpus: 4, memoryMegabytes: 8192, timeLimitSeconds: 90_061, partition: "gpu", gpus: 2),
            account: "lab",
            afterSuccessOf: [SlurmJobID("12"), SlurmJobID("13")])
        XCTAssertEqual(request.sbatchArguments, [
            "--parsable", "--job-name=assay:erm seed=1", "--output=/store/jobs/a b.out", "--chdir=/work dir",
            "--cpus-per-task=4", "--mem=8192M", "--time=1-01:01:01", "--partition=gpu", "--gpus=2", "--account=lab",
            "--dependency=afterok:12:13", "--kill-on-invalid-dep=yes", "/store/jobs/a b.sh",
        ])
    }

    func testPercentInOutputPathIsKeptLiterallyUnlessAskedForPatterns() {
        var request = SlurmJobRequest(name: "n", scriptPath: "s", outputPath: "/out/100%j.log", killOnInvalidDependency: false)
        XCTAssertEqual(request.sbatchArguments[2], "--output=/out/100%%j.log")
        request.literalOutputPath = false
        XCTAssertEqual(request.sbatchArguments[2], "--output=/out/100%j.log")
    }

    func testZeroGpusPassesNoGpuFlag() {
        XCTAssertEqual(SlurmResources(gpus: 0).sbatchOptions, [])
    }

    func testTimeLimitIsFormattedAsDaysHoursMinutesSeconds() {
        XCTAssertEqual(SlurmResources.slurmDuration(seconds: 59), "0-00:00:59")
        XCTAssertEqual(SlurmResources.slurmDuration(seconds: 3_600), "0-01:00:00")
        XCTAssertEqual(SlurmResources.slurmDuration(seconds: 0), "0-00:00:01")
        XCTAssertEqual(SlurmResources.slurmDuration(seconds: 2 * 86_400 + 5 * 60), "2-00:05:00")
    }

    func testStageResourcesWinOverDefaultsFieldByField() {
        let stage = SlurmResources(cpus: 8, partition: "long")
        let defaults = SlurmResources(cpus: 1, memoryMegabytes: 2048, timeLimitSeconds: 600, partition: "debug")
        XCTAssertEqual(stage.filled(from: defaults), SlurmResources(cpus: 8, memoryMegabytes: 2048, timeLimitSeconds: 600, partition: "long"))
    }
}
