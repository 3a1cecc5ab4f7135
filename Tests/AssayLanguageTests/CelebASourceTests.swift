import AssayLanguage
import AssaySupport
import Foundation
import XCTest

/// The `celeba:` data source: what the checker reads of CelebA's files, where it reports
/// problems, and which files the stage declares (what the planner hashes).
final class CelebASourceTests: XCTestCase {
    /// A CelebA-layout folder: three (empty) images, the two listings in the distributed format.
    private func makeFolder(partition: String = "000001.jpg 0\n000002.jpg 1\n000003.jpg 2\n") throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("assay-celeba-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("img_align_celeba"), withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: root) }
        try Data("3\r\nSmiling Blond_Hair Male \r\n000001.jpg  1 -1  1\r\n000002.jpg -1  1 -1\r\n000003.jpg  1  1 -1\r\n".utf8)
            .write(to: root.appendingPathComponent("list_attr_celeba.txt"))
        try Data(partition.utf8).write(to: root.appendingPathComponent("list_eval_partition.txt"))
        return root
    }

    private func experiment(_ root: URL, _ source: String) -> String {
        """
        assay: 1
        datasets:
          faces:
            celeba: { root: \(root.path), \(source) }
        groups:
          g: { data: faces, by: [label, Male] }
        """
    }

    func testSplitsClassesAttributesAndTheDeclaredFiles() throws {
        let root = try makeFolder()
        let result = checkText(experiment(root, "target: Blond_Hair, attributes: [Male], size: [32, 32], limit: { test: 5 }"))
        XCTAssertFalse(result.hasErrors, result.diagnostics.map(\.message).joined(separator: "\n"))
        let stage = try XCTUnwrap(result.experiments.first?.stages.first { $0.operatorName == "load-celeba" })
        XCTAssertEqual(stage.outputs.keys.sorted(), ["test", "train", "val"])
        // The three files, not the whole root: another file in `root` does not rerun the load.
        XCTAssertEqual(stage.files, ["images": root.appendingPathComponent("img_align_celeba").path,
                                     "attribute-file": root.appendingPathComponent("list_attr_celeba.txt").path,
                                     "partition-file": root.appendingPathComponent("list_eval_partition.txt").path])
    }

    func testUnknownAttributeSuggestsTheNearestName() throws {
        let root = try makeFolder()
        let text = experiment(root, "target: Blond_Hai, attributes: [Smiling, male]")
        let result = checkText(text)
        let unknown = result.diagnostics.filter { $0.id == "unknown-attribute" && $0.path?.hasPrefix("datasets.") == true }
        XCTAssertEqual(unknown.map(\.message), ["`list_attr_celeba.txt` has no attribute `Blond_Hai`", "`list_attr_celeba.txt` has no attribute `male`"])
        XCTAssertEqual(unknown.map { $0.help.first }, ["did you mean `Blond_Hair`?", "did you mean `Male`?"])
        XCTAssertEqual(unknown.map(\.path), ["datasets.faces.celeba.target", "datasets.faces.celeba.attributes[1]"])
        let line = text.components(separatedBy: "\n").firstIndex { $0.contains("Blond_Hai") }! + 1
        XCTAssertEqual(unknown.map { $0.span?.start.line }, [line, line])
        let column = text.components(separatedBy: "\n")[line - 1].utf8.count - " male] }".utf8.count + 2
        XCTAssertEqual(unknown.last?.span?.start.column, column)
    }

    func testMissingFilesAreNamedAtRootOrAtTheFieldThatNamesThem() throws {
        let root = try makeFolder()
        try FileManager.default.removeItem(at: root.appendingPathComponent("list_eval_partition.txt"))
        try FileManager.default.removeItem(at: root.appendingPathComponent("img_align_celeba"))
        let result = checkText(experiment(root, "target: Smiling, attribute-file: attrs.txt"))
        let missing = result.diagnostics.filter { $0.id == "path-not-found" }
        let byWhat = Dictionary(uniqueKeysWithValues: missing.map { ($0.message.components(separatedBy: "lacks the ").last ?? "", $0.path ?? "") })
        XCTAssertEqual(byWhat, ["folder `img_align_celeba/`": "datasets.faces.celeba.root", "file `attrs.txt`": "datasets.faces.celeba.attribute-file",
                                "file `list_eval_partition.txt`": "datasets.faces.celeba.root"])
    }

    func testMalformedPartitionFileNamesItsLine() throws {
        let root = try makeFolder(partition: "000001.jpg 0\n000002.jpg 1\n000003.jpg 3\n")
        let result = checkText(experiment(root, "target: Smiling"))
        let bad = try XCTUnwrap(result.diagnostics.first { $0.id == "bad-data-file" })
        XCTAssertEqual(bad.message, root.appendingPathComponent("list_eval_partition.txt").path + ":3: expected a partition 0 (train), 1 (val) or 2 (test), found `3`")
        XCTAssertEqual(bad.path, "datasets.faces.celeba.root")
    }

    func testMalformedAttributeHeaderIsAnError() throws {
        let root = try makeFolder()
        try Data("Smiling Male\n000001.jpg 1 1\n".utf8).write(to: root.appendingPathComponent("list_attr_celeba.txt"))
        let result = checkText(experiment(root, "target: Smiling"))
        let bad = try XCTUnwrap(result.diagnostics.first { $0.id == "bad-data-file" })
        XCTAssertTrue(bad.message.hasSuffix(":1: expected the image count, found `Smiling Male`"), bad.message)
    }

    func testTheTargetCannotAlsoBeASpuriousAttribute() throws {
        let root = try makeFolder()
        let result = checkText(experiment(root, "target: Male, attributes: [Male]"))
        let duplicate = try XCTUnwrap(result.diagnostics.first { $0.id == "duplicate-attribute" })
        XCTAssertEqual(duplicate.path, "datasets.faces.celeba.attributes[0]")
    }
}
