import AssayData
@testable import AssayStages
import XCTest

final class BeforeAfterFigureTests: XCTestCase {
    let shape = SampleShape(channels: 1, height: 4, width: 4)

    /// A visualisation whose top-k are the images `top` of a toy data set (image i is filled with 20·i).
    func artifact(top: [Int], synthetic: Bool) -> VisualizationArtifact {
        var a = VisualizationArtifact(unit: NetworkUnit(layer: "conv2", channel: 3), shape: [1, 4, 4])
        a.natural = .init(k: top.count, scores: (0..<10).map(Float.init), top: top, topScores: top.map(Float.init), topLabels: top.map { _ in 0 },
                          accuracy: 1, topImages: top.flatMap { i in [UInt8](repeating: UInt8(20 * i), count: shape.count) })
        if synthetic { a.synthetic = .init(images: (0..<32).map { Float($0 % 7) / 7 }, activations: [1, 2], startActivations: [0, 0]) }
        return a
    }

    func red(_ image: RasterImage) -> Int {
        stride(from: 0, to: image.pixels.count, by: 3).filter { image.pixels[$0] == 220 && image.pixels[$0 + 1] == 30 }.count
    }

    func testNaturalTopKSitBesideEachOtherWithKeptExemplarsFramed() throws {
        let before = artifact(top: [9, 8, 7, 6], synthetic: true)
        let moved = try XCTUnwrap(BeforeAfterFigure.render(before: before, after: artifact(top: [1, 2, 3, 4], synthetic: true)))
        let oneKept = try XCTUnwrap(BeforeAfterFigure.render(before: before, after: artifact(top: [1, 9, 3, 4], synthetic: true)))
        XCTAssertEqual(moved.channels, 3)
        XCTAssertEqual(red(moved), 0, "no exemplar survived, so nothing is framed")
        // One frame: (4 + 2·2)² − 4² pixels, drawn at 2×.
        XCTAssertEqual(red(oneKept), (64 - 16) * 4)
        // The before tiles (grey 180 for image 9) appear left of the after tiles (grey 20 for image 1).
        let row = (0..<moved.height).first { y in (0..<moved.width).contains { moved.pixels[(y * moved.width + $0) * 3] == 180 } }!
        let xs = (0..<moved.width).filter { moved.pixels[(row * moved.width + $0) * 3] == 180 }
        let ys = (0..<moved.width).filter { moved.pixels[(row * moved.width + $0) * 3] == 20 }
        XCTAssertLessThan(try XCTUnwrap(xs.max()), try XCTUnwrap(ys.min()))
        // Labels are drawn (dark ink), and the synthetic row adds height.
        XCTAssertTrue(moved.pixels.contains(BeforeAfterFigure.ink[0]))
        let naturalOnly = try XCTUnwrap(BeforeAfterFigure.render(before: artifact(top: [9, 8, 7, 6], synthetic: false), after: artifact(top: [1, 2, 3, 4], synthetic: false)))
        XCTAssertGreaterThan(moved.height, naturalOnly.height)
    }

    func testNothingToShowGivesNoFigure() {
        let a = VisualizationArtifact(unit: NetworkUnit(layer: "conv2", channel: 3), shape: [1, 4, 4])
        XCTAssertNil(BeforeAfterFigure.render(before: a, after: a))
    }
}
