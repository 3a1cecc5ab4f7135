import AssaySupport
import XCTest
@testable import AssayTensor

/// Checks an op's backward pass against central finite differences.
///
/// The op's output y is reduced to the scalar L = Σᵢ rᵢ·yᵢ with fixed random
/// weights r (so every output element matters, with different signs). The
/// analytic gradient of L with respect to each input comes from `backward()`;
/// the numeric one is (L(x + h·eᵢ) − L(x − h·eᵢ)) / 2h with L summed in Double.
///
/// Tolerance: Float32 forward values carry relative rounding ≈ 6e-8, so the
/// numeric derivative has absolute error ≈ 6e-8·|L|/h plus the O(h²) truncation
/// term; with h = 1e-2 and |L| ≲ 10 both stay below ~1e-4, so
/// |analytic − numeric| ≤ atol + rtol·|numeric| with atol = 2e-3, rtol = 1e-2
/// passes correct ops and fails any wrong factor, sign or index. Inputs of
/// non-smooth ops are chosen at least h away from their kinks.
func checkGradients(_ name: String, inputs: [Tensor], step h: Float = 1e-2, absoluteTolerance: Double = 2e-3,
                    relativeTolerance: Double = 1e-2, maxProbesPerInput: Int = 48,
                    file: StaticString = #filePath, line: UInt = #line, _ op: ([Tensor]) -> Tensor) {
    let problems = gradientMismatches(name, inputs: inputs, step: h, absoluteTolerance: absoluteTolerance,
                                      relativeTolerance: relativeTolerance, maxProbesPerInput: maxProbesPerInput, op)
    for problem in problems.prefix(3) { XCTFail(problem, file: file, line: line) }
}

/// The mismatches `checkGradients` reports (empty when the op's backward is right).
func gradientMismatches(_ name: String, inputs: [Tensor], step h: Float = 1e-2, absoluteTolerance: Double = 2e-3,
                        relativeTolerance: Double = 1e-2, maxProbesPerInput: Int = 48,
                        _ op: ([Tensor]) -> Tensor) -> [String] {
    var problems: [String] = []
    for input in inputs {
        input.requiresGrad = true
        input.grad = nil
    }
    let output = op(inputs)
    var rng = SeededRandom(seed: 99)
    let weights = (0..<output.count).map { _ in rng.nextFloat() * 2 - 1 }
    (output * Tensor(weights, shape: output.shape)).sum().backward()

    func objective() -> Double {
        let y = Autograd.withoutGradients { op(inputs) }
        if y.shape != output.shape { problems.append("\(name): output shape changed between calls") }
        var total = 0.0
        for (v, w) in zip(y.data, weights) { total += Double(v) * Double(w) }
        return total
    }

    for (which, input) in inputs.enumerated() {
        let analytic = input.grad ?? [Float](repeating: 0, count: input.count)
        // Probe every element of small inputs, an even spread of large ones.
        let probes = input.count <= maxProbesPerInput
            ? Array(0..<input.count)
            : (0..<maxProbesPerInput).map { $0 * input.count / maxProbesPerInput }
        for i in probes {
            let saved = input.data[i]
            input.data[i] = saved + h
            let plus = objective()
            input.data[i] = saved - h
            let minus = objective()
            input.data[i] = saved
            let numeric = (plus - minus) / Double(2 * h)
            let error = Swift.abs(Double(analytic[i]) - numeric)
            if error > absoluteTolerance + relativeTolerance * Swift.abs(numeric) {
                problems.append("\(name): d/d input\(which)[\(i)] analytic \(analytic[i]) vs numeric \(numeric)")
            }
        }
    }
    return problems
}

/// Values spread over [−range, range] whose pairwise gaps and distance from 0
/// exceed the finite-difference step, so max, ReLU and |·| are smooth around them.
func separatedValues(_ shape: [Int], seed: UInt64, range: Float = 2) -> Tensor {
    let n = shape.reduce(1, *)
    let range = max(range, Float(n) * 0.015)  // keeps neighbouring values ≥ 0.03 apart
    var rng = SeededRandom(seed: seed)
    let order = rng.permutation(n)
    let values = order.map { k -> Float in
        let v = (Float(k) + 0.5) / Float(n) * 2 * range - range
        return Swift.abs(v) < 0.03 ? v + 0.06 : v
    }
    return Tensor(values, shape: shape)
}

/// Normal samples (smooth ops need no separation).
func randomTensor(_ shape: [Int], seed: UInt64, std: Float = 1) -> Tensor {
    var rng = SeededRandom(seed: seed)
    return Tensor.normal(shape, std: std, rng: &rng)
}
