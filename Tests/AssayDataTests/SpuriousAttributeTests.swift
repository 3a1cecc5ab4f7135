import XCTest
@testable import AssayData

final class SpuriousAttributeTests: XCTestCase {
    private func aligned(_ data: ImageDataset, _ name: String) throws -> Double {
        let values = try data.attribute(named: name).values
        return Double(zip(data.labels, values).filter { $0 == $1 }.count) / Double(data.count)
    }

    func testInjectedCorrelationMatchesDeclaredValuePerSplit() throws {
        let splits = DatasetSplits([("train", TestData.squares(count: 2000, classes: 2)), ("test", TestData.squares(count: 1000, classes: 2))])
        let spec = SpuriousAttribute(name: "border", feature: .border(width: 1))
        let injected = try splits.injecting(spec, correlations: ["train": 0.95, "test": 0.5], seed: 7)
        // Exact assignment per class: the empirical rate equals the declared one up to rounding.
        XCTAssertEqual(try aligned(injected.split("train"), "border"), 0.95, accuracy: 0.001)
        XCTAssertEqual(try aligned(injected.split("test"), "border"), 0.5, accuracy: 0.001)
        // And within each class, not just overall.
        let train = try injected.split("train")
        let values = try train.attribute(named: "border").values
        for y: Int32 in [0, 1] {
            let members = train.labels.indices.filter { train.labels[$0] == y }
            let rate = Double(members.filter { values[$0] == y }.count) / Double(members.count)
            XCTAssertEqual(rate, 0.95, accuracy: 0.001)
        }
    }

    func testBorderIsDrawnOnlyForAttributeOne() throws {
        let data = TestData.squares(count: 40, classes: 2, size: 10)
        let out = try data.injecting(SpuriousAttribute(name: "border", feature: .border(width: 2)), correlation: 0.9, seed: 1)
        XCTAssertEqual(out.shape.channels, 1)
        let values = try out.attribute(named: "border").values
        for i in 0 ..< out.count {
            let image = Array(out.image(at: i))
            let frame = [image[0], image[9], image[1 * 10 + 1], image[99], image[5 * 10 + 8]]
            if values[i] == 1 {
                XCTAssertEqual(frame, [255, 255, 255, 255, 255])
            } else {
                XCTAssertEqual(image, Array(data.image(at: i)))
            }
        }
    }

    func testTintTurnsGreyIntoRGBWithTheValuesColour() throws {
        let data = TestData.squares(count: 10, classes: 2)
        let colours: [[UInt8]] = [[255, 0, 0], [0, 0, 255]]
        let out = try data.injecting(SpuriousAttribute(name: "tint", feature: .tint(colours: colours)), correlation: 1, seed: 3)
        XCTAssertEqual(out.shape.channels, 3)
        let plane = out.shape.planeCount
        for i in 0 ..< out.count {
            let grey = Array(data.image(at: i)), rgb = Array(out.image(at: i))
            let a = Int(try out.attribute(named: "tint").values[i])
            XCTAssertEqual(a, Int(data.labels[i]))
            XCTAssertEqual(Array(rgb[(a == 0 ? 0 : 2) * plane ..< (a == 0 ? 1 : 3) * plane]), grey)
            XCTAssertEqual(Array(rgb[plane ..< 2 * plane]), [UInt8](repeating: 0, count: plane))
        }
    }

    func testCornerPatchAndTextureAreDeterministicPerSeed() throws {
        let data = TestData.squares(count: 50, classes: 2)
        for feature in [SpuriousFeature.cornerPatch(size: 3, colours: [[0, 255, 0]]), .backgroundTexture(amplitude: 80, threshold: 16)] {
            let spec = SpuriousAttribute(name: "spur", feature: feature)
            let a = try data.injecting(spec, correlation: 0.8, seed: 11)
            let b = try data.injecting(spec, correlation: 0.8, seed: 11)
            let c = try data.injecting(spec, correlation: 0.8, seed: 12)
            XCTAssertEqual(a.pixels, b.pixels)
            XCTAssertEqual(a.attributes, b.attributes)
            XCTAssertNotEqual(a.attributes, c.attributes)
            XCTAssertNotEqual(a.pixels, data.pixels)
        }
    }

    func testTextureOnlyReplacesBackgroundPixels() throws {
        let data = TestData.squares(count: 6, classes: 2)
        let out = try data.injecting(SpuriousAttribute(name: "bg", feature: .backgroundTexture(amplitude: 90, threshold: 16)), correlation: 0.5, seed: 2)
        for i in 0 ..< data.count {
            for (before, after) in zip(data.image(at: i), out.image(at: i)) {
                if before >= 16 { XCTAssertEqual(before, after) } else { XCTAssertTrue(after == 0 || after == 90) }
            }
        }
    }

    func testMissingSplitCorrelationIsAnError() {
        let splits = DatasetSplits([("train", TestData.squares(count: 10, classes: 2)), ("val", TestData.squares(count: 10, classes: 2))])
        XCTAssertThrowsError(try splits.injecting(SpuriousAttribute(name: "b", feature: .border(width: 1)), correlations: ["train": 0.9], seed: 0)) { error in
            XCTAssertTrue(String(describing: error).contains("`val`"))
        }
    }
}
