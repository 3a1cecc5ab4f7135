import AssayLanguage
import AssaySupport
import Foundation
import XCTest

final class ExperimentPathTests: XCTestCase {
    func testHomeRelativeAndAbsolutePathsResolveOneWay() {
        let home = FileManager.default.homeDirectoryForCurrentUser.standardizedFileURL.path
        XCTAssertEqual(ExperimentPath.resolve("~", relativeTo: "/work/exp"), home)
        XCTAssertEqual(ExperimentPath.resolve("~/data/x.png", relativeTo: "/work/exp"), home + "/data/x.png")
        XCTAssertEqual(ExperimentPath.resolve("data/../targets/x.png", relativeTo: "/work/exp"), "/work/exp/targets/x.png")
        XCTAssertEqual(ExperimentPath.resolve("./x", relativeTo: "/work/exp/"), "/work/exp/x")
        XCTAssertEqual(ExperimentPath.resolve("/abs/./y", relativeTo: "/work/exp"), "/abs/y")
        // `~user` and a `~` inside a name are names, not the home folder.
        XCTAssertEqual(ExperimentPath.resolve("~other/x", relativeTo: "/work/exp"), "/work/exp/~other/x")
        XCTAssertEqual(ExperimentPath.resolve("a~/x", relativeTo: "/work/exp"), "/work/exp/a~/x")
    }

    /// The checker finds `~/…` files where the planner hashes them (it once looked for a folder named `~`).
    func testTheCheckerDeclaresAHomeRelativeFileAtItsResolvedLocation() throws {
        let home = FileManager.default.homeDirectoryForCurrentUser
        let folder = home.appendingPathComponent(".assay-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "img_filename,y,split\n".write(to: folder.appendingPathComponent("metadata.csv"), atomically: true, encoding: .utf8)
        let text = """
            assay: 1
            datasets:
              birds: { image-folder: { root: ~/\(folder.lastPathComponent), classes: [a, b], size: [4, 4] } }
            models:
              linear: [flatten, { linear: 2 }]
            stages:
              erm: { train: { model: linear, data: birds.train } }
            """
        let result = Checker.check(source: SourceFile(path: "/tmp/elsewhere/x.yaml", text: text))
        XCTAssertFalse(result.diagnostics.contains { $0.id == "path-not-found" }, "\(result.diagnostics)")
        let load = result.experiments.first?.stages.first { $0.operatorName == "load-image-folder" }
        XCTAssertEqual(load?.files["root"], folder.standardizedFileURL.path)
    }
}
