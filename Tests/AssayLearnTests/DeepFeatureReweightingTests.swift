import XCTest
@testable import AssayLearn

final class DeepFeatureReweightingTests: XCTestCase {
    /// Held-out data where the attribute agrees with the label in 7 of 8 examples
    /// (groups 0 and 3 large, 1 and 2 small), test data balanced.
    let heldOut = SpuriousData.make(groupSizes: [350, 50, 50, 350], noiseFeatures: 18, seed: 1)
    let test = SpuriousData.make(groupSizes: [200, 200, 200, 200], noiseFeatures: 18, seed: 2)

    func testBalancedRetrainingBeatsPlainFitOnWorstGroup() throws {
        let dfr = DeepFeatureReweighting(finalFits: 10, seed: 3)
        let result = try dfr.fit(heldOut.x, labels: heldOut.labels, groups: heldOut.groups)
        let predicted = try result.model.predict(test.x)
        let dfrWGA = try GroupAccuracy(predicted: predicted, truth: test.labels, groups: test.groups).worstGroupAccuracy

        let standardizer = try Standardizer.fit(heldOut.x)
        let plain = try LogisticRegression(c: 1).fit(standardizer.apply(heldOut.x), labels: heldOut.labels)
        let plainPredicted = try plain.predict(standardizer.apply(test.x))
        let plainWGA = try GroupAccuracy(predicted: plainPredicted, truth: test.labels, groups: test.groups).worstGroupAccuracy

        // The core feature alone separates at Φ(1.5) ≈ 0.93.
        XCTAssertGreaterThan(dfrWGA, 0.85)
        XCTAssertGreaterThan(dfrWGA, plainWGA + 0.1, "DFR \(dfrWGA) vs plain \(plainWGA)")
        XCTAssertEqual(result.tuning.map(\.c), DeepFeatureReweighting.defaultCGrid)
        XCTAssertTrue(DeepFeatureReweighting.defaultCGrid.contains(result.chosenC))
        let best = result.tuning.map(\.worstGroupAccuracy).max()!
        let winners = result.tuning.filter { $0.worstGroupAccuracy == best }.map(\.c)
        XCTAssertEqual(result.chosenC, winners.min(), "ties go to the strongest regularisation")
    }

    func testSameSeedGivesIdenticalModelForAnyThreadCount() throws {
        let one = try DeepFeatureReweighting(cGrid: [1, 0.1], finalFits: 4, seed: 9, threads: 1)
            .fit(heldOut.x, labels: heldOut.labels, groups: heldOut.groups)
        let two = try DeepFeatureReweighting(cGrid: [1, 0.1], finalFits: 4, seed: 9, threads: 2)
            .fit(heldOut.x, labels: heldOut.labels, groups: heldOut.groups)
        XCTAssertEqual(one, two)
        let other = try DeepFeatureReweighting(cGrid: [1, 0.1], finalFits: 4, seed: 10, threads: 1)
            .fit(heldOut.x, labels: heldOut.labels, groups: heldOut.groups)
        XCTAssertNotEqual(one.model, other.model)
    }

    func testFinalModelIsTheMeanOfItsFits() throws {
        // With one final fit the average is that fit: its coefficients are sparse (L1).
        let result = try DeepFeatureReweighting(cGrid: [0.05], finalFits: 1, seed: 0)
            .fit(heldOut.x, labels: heldOut.labels, groups: heldOut.groups)
        XCTAssertGreaterThan(result.model.classifier.zeroCoefficientCount, 0)
        XCTAssertEqual(result.chosenC, 0.05)
    }

    func testGroupsTooSmallToSplitAreRejected() {
        let tiny = SpuriousData.make(groupSizes: [4, 1, 4, 4], noiseFeatures: 0, seed: 0)
        XCTAssertThrowsError(try DeepFeatureReweighting().fit(tiny.x, labels: tiny.labels, groups: tiny.groups))
    }

    func testReweightedRetrainingBeatsUnweightedOnWorstGroupAndFitsOnce() throws {
        func wga(_ balance: GroupBalance) throws -> (Double, DFRResult) {
            let result = try DeepFeatureReweighting(finalFits: 10, balance: balance, seed: 3)
                .fit(heldOut.x, labels: heldOut.labels, groups: heldOut.groups)
            let predicted = try result.model.predict(test.x)
            return (try GroupAccuracy(predicted: predicted, truth: test.labels, groups: test.groups).worstGroupAccuracy, result)
        }
        let (reweighted, result) = try wga(.reweight)
        let (unweighted, plain) = try wga(.none)
        XCTAssertGreaterThan(reweighted, 0.85)
        XCTAssertGreaterThan(reweighted, unweighted + 0.1, "reweighted \(reweighted) vs unweighted \(unweighted)")
        XCTAssertEqual(result.finalFits, 1, "the data do not vary between fits, so one fit is the model")
        XCTAssertEqual(plain.finalFits, 1)
        // Deterministic: no subsample is drawn, so the seed only orders coordinates; the optimum is the same.
        let again = try DeepFeatureReweighting(finalFits: 10, balance: .reweight, seed: 3)
            .fit(heldOut.x, labels: heldOut.labels, groups: heldOut.groups)
        XCTAssertEqual(again, result)
    }
}
