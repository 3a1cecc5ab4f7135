import XCTest
@testable import AssayData

final class SceneComposerTests: XCTestCase {
    private let items = TestData.squares(count: 20, classes: 4, size: 8)

    func testMaskAgreesWithPastedItemsAndBackgroundElsewhere() throws {
        let spec = SceneSpec(canvas: ImageSize(height: 24, width: 24), itemsPerScene: 1 ... 3, overlap: .occlude, background: .noise(amplitude: 30), threshold: 64)
        let plans = try SceneComposer.plan(items: items, count: 30, spec: spec, seed: 5)
        let scenes = try SceneComposer.render(items: items, plans: plans, spec: spec, seed: 5)
        XCTAssertEqual(scenes.masks?.classNames, ["background", "c0", "c1", "c2", "c3"])
        for s in 0 ..< scenes.count {
            // Replay the placements: the last item whose pixel passes the threshold owns the pixel.
            var expected = [UInt8](repeating: 0, count: 24 * 24)
            var expectedImage = [UInt8?](repeating: nil, count: 24 * 24)
            for placement in plans[s] {
                let tile = Array(items.image(at: placement.item))
                for y in 0 ..< 8 {
                    for x in 0 ..< 8 where tile[y * 8 + x] >= 64 {
                        expected[(placement.top + y) * 24 + placement.left + x] = UInt8(items.labels[placement.item] + 1)
                        expectedImage[(placement.top + y) * 24 + placement.left + x] = tile[y * 8 + x]
                    }
                }
            }
            XCTAssertEqual(Array(scenes.mask(at: s)!), expected, "scene \(s)")
            let image = Array(scenes.image(at: s))
            for p in 0 ..< expected.count {
                if let v = expectedImage[p] { XCTAssertEqual(image[p], v) } else { XCTAssertLessThanOrEqual(image[p], 30) }
            }
            XCTAssertEqual(Int(try scenes.attribute(named: "items").values[s]), plans[s].count)
            XCTAssertTrue((1 ... 3).contains(plans[s].count))
        }
    }

    func testAvoidPolicyKeepsForegroundBoxesApart() throws {
        let spec = SceneSpec(canvas: ImageSize(height: 32, width: 32), itemsPerScene: 2 ... 4, overlap: .avoid, background: .plain(0))
        let plans = try SceneComposer.plan(items: items, count: 40, spec: spec, seed: 9)
        for plan in plans {
            var owner = [Int](repeating: -1, count: 32 * 32)
            for (k, placement) in plan.enumerated() {
                let tile = Array(items.image(at: placement.item))
                for y in 0 ..< 8 { for x in 0 ..< 8 where tile[y * 8 + x] >= 64 {
                    let p = (placement.top + y) * 32 + placement.left + x
                    XCTAssertEqual(owner[p], -1, "items overlap")
                    owner[p] = k
                } }
            }
        }
    }

    func testSameSeedGivesIdenticalBytesAndOtherSeedsDiffer() throws {
        let spec = SceneSpec(canvas: ImageSize(height: 20, width: 20), background: .texture(amplitude: 60))
        let a = try SceneComposer.compose(items: items, count: 16, spec: spec, seed: 1)
        let b = try SceneComposer.compose(items: items, count: 16, spec: spec, seed: 1)
        let c = try SceneComposer.compose(items: items, count: 16, spec: spec, seed: 2)
        XCTAssertEqual(try DatasetArtifact.encode(a), try DatasetArtifact.encode(b))
        XCTAssertNotEqual(a.pixels, c.pixels)
    }

    func testCanvasSmallerThanItemsIsRejected() {
        let spec = SceneSpec(canvas: ImageSize(height: 6, width: 6))
        XCTAssertThrowsError(try SceneComposer.compose(items: items, count: 1, spec: spec, seed: 0))
    }
}
