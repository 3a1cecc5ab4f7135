/// Kendall's τ-b rank correlation between two score vectors over the same items,
/// with ties, in O(n log n) by Knight's algorithm (Knight 1966).
///
///     τ_b = (n_c − n_d) / √((n₀ − n₁)(n₀ − n₂))
///
/// with `n₀ = n(n−1)/2` pairs, `n_c`/`n_d` concordant/discordant pairs, `n₁` pairs
/// tied in x, `n₂` pairs tied in y. Knight: sort by (x, y); count x-ties and joint
/// ties `n₃` on runs; merge-sort by y counting exchanges (each = one discordant pair);
/// count y-ties on runs. Then `n_c − n_d = n₀ − n₁ − n₂ + n₃ − 2·exchanges`.
///
/// Returns NaN when either vector is constant (τ-b undefined), as SciPy does.
/// Inputs must not contain NaN.
public enum KendallTau {
    public static func tauB(_ x: [Double], _ y: [Double]) -> Double {
        precondition(x.count == y.count, "KendallTau: vectors of length \(x.count) and \(y.count)")
        let n = x.count
        guard n >= 2 else { return .nan }
        var order = Array(0..<n)
        order.sort { x[$0] != x[$1] ? x[$0] < x[$1] : y[$0] < y[$1] }

        var tiedX = 0, tiedBoth = 0
        var runX = 1, runBoth = 1
        for k in 1..<n {
            let a = order[k - 1], b = order[k]
            if x[a] == x[b] {
                runX += 1
                if y[a] == y[b] { runBoth += 1 } else { tiedBoth += runBoth * (runBoth - 1) / 2; runBoth = 1 }
            } else {
                tiedX += runX * (runX - 1) / 2
                tiedBoth += runBoth * (runBoth - 1) / 2
                runX = 1; runBoth = 1
            }
        }
        tiedX += runX * (runX - 1) / 2
        tiedBoth += runBoth * (runBoth - 1) / 2

        // Bottom-up merge sort of `order` by y; a right element placed before remaining
        // left elements is strictly smaller in y, while ahead of them in x: discordant.
        var exchanges = 0
        var buffer = order
        var width = 1
        while width < n {
            var start = 0
            while start < n {
                let middle = min(start + width, n), end = min(start + 2 * width, n)
                var i = start, j = middle, k = start
                while i < middle && j < end {
                    if y[order[j]] < y[order[i]] {
                        buffer[k] = order[j]; j += 1
                        exchanges += middle - i
                    } else {
                        buffer[k] = order[i]; i += 1
                    }
                    k += 1
                }
                while i < middle { buffer[k] = order[i]; i += 1; k += 1 }
                while j < end { buffer[k] = order[j]; j += 1; k += 1 }
                start += 2 * width
            }
            swap(&order, &buffer)
            width *= 2
        }

        var tiedY = 0, runY = 1
        for k in 1..<n {
            if y[order[k - 1]] == y[order[k]] { runY += 1 } else { tiedY += runY * (runY - 1) / 2; runY = 1 }
        }
        tiedY += runY * (runY - 1) / 2

        let pairs = n * (n - 1) / 2
        let difference = pairs - tiedX - tiedY + tiedBoth - 2 * exchanges
        let denominator = (Double(pairs - tiedX) * Double(pairs - tiedY)).squareRoot()
        return denominator == 0 ? .nan : Double(difference) / denominator
    }

    /// τ-b of single-precision scores (e.g. activations before and after an attack).
    public static func tauB(_ x: [Float], _ y: [Float]) -> Double {
        tauB(x.map(Double.init), y.map(Double.init))
    }
}
