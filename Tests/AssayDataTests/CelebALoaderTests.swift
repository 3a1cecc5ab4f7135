import XCTest
@testable import AssayData

final class CelebALoaderTests: XCTestCase {
    private func makeFixture() throws -> URL {
        let root = TestData.scratchDirectory("celeba")
        let images = root.appendingPathComponent("img_align_celeba")
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        var attributes = ["image_id,Smiling,Blond_Hair,Male"]
        var partitions = ["image_id,partition"]
        for i in 0 ..< 6 {
            let name = String(format: "%06d.jpg", i + 1)
            try JPEGCodec.write(TestData.gradient(width: 12, height: 14, channels: 3, seed: i), to: images.appendingPathComponent(name))
            attributes.append("\(name),1,\(i % 2 == 0 ? 1 : -1),\(i < 3 ? -1 : 1)")
            partitions.append("\(name),\(i / 2)")
        }
        try Data(attributes.joined(separator: "\n").utf8).write(to: root.appendingPathComponent("list_attr_celeba.csv"))
        try Data(partitions.joined(separator: "\n").utf8).write(to: root.appendingPathComponent("list_eval_partition.csv"))
        return root
    }

    func testTargetAndSpuriousAttributesAndPartitions() throws {
        let root = try makeFixture()
        let loader = CelebALoader(imageDirectory: root.appendingPathComponent("img_align_celeba"),
                                  attributeFile: root.appendingPathComponent("list_attr_celeba.csv"),
                                  partitionFile: root.appendingPathComponent("list_eval_partition.csv"),
                                  target: "Blond_Hair", spurious: ["Male"],
                                  preprocessing: ImagePreprocessing(channels: 3, resize: .exact(height: 8, width: 8)))
        let splits = try loader.load()
        XCTAssertEqual(splits.names, ["train", "val", "test"])
        let val = try splits.split("val")
        XCTAssertEqual(val.labels, [1, 0])                       // images 3 and 4
        XCTAssertEqual(try val.attribute(named: "Male").values, [0, 1])
        XCTAssertEqual(val.classNames, ["not-Blond_Hair", "Blond_Hair"])
        let groups = try splits.split("train").groups(by: ["Male"], requireAll: false)
        XCTAssertEqual(groups.counts, [1, 0, 1, 0])  // g = y·2 + male: images 1 (0, 0) and 2 (1, 0)
    }

    func testValueOtherThanMinusOneOrOneNamesLineAndColumn() throws {
        let root = try makeFixture()
        let file = root.appendingPathComponent("list_attr_celeba.csv")
        var text = try String(contentsOf: file, encoding: .utf8)
        text = text.replacingOccurrences(of: "000002.jpg,1,-1,-1", with: "000002.jpg,1,2,-1")
        try Data(text.utf8).write(to: file)
        let loader = CelebALoader(imageDirectory: root.appendingPathComponent("img_align_celeba"), attributeFile: file,
                                  partitionFile: root.appendingPathComponent("list_eval_partition.csv"),
                                  target: "Blond_Hair", spurious: ["Male"])
        XCTAssertThrowsError(try loader.load()) { error in
            XCTAssertEqual(error as? DataError, .csvSyntax(path: file.path, line: 3, column: "Blond_Hair", message: "expected -1 or 1, found `2`"))
        }
    }

    func testImageWithoutPartitionRowNamesTheAttributeLine() throws {
        let root = try makeFixture()
        let partitions = root.appendingPathComponent("list_eval_partition.csv")
        let text = try String(contentsOf: partitions, encoding: .utf8).replacingOccurrences(of: "000004.jpg,1\n", with: "")
        try Data(text.utf8).write(to: partitions)
        let attributes = root.appendingPathComponent("list_attr_celeba.csv")
        let loader = CelebALoader(imageDirectory: root.appendingPathComponent("img_align_celeba"), attributeFile: attributes,
                                  partitionFile: partitions, target: "Smiling", spurious: [])
        XCTAssertThrowsError(try loader.load()) { error in
            guard case let .csvSyntax(path, line, _, message)? = error as? DataError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, attributes.path)
            XCTAssertEqual(line, 5)
            XCTAssertTrue(message.contains("000004.jpg"), message)
        }
    }
}
