/// How many features all-layer DFR's pooling keeps of one activation map: the one formula the
/// checker (to bound a `features` stage's size) and the pooling itself use.
///
/// For `[C, H, W]` and target `T`: global average pooling (`C` features) when `C ≥ T`, else
/// `p × p` cells per channel with `p = ⌊√(T / C)⌋` (`p²C` features). Vectors pass unchanged.
public enum PooledFeatureCount {
    /// Cells per side for a map with `channels` channels: 0 means global average pooling.
    public static func cellsPerSide(channels: Int, target: Int) -> Int {
        if channels >= target { return 0 }
        // p²C ≤ T ⟺ p² ≤ ⌊T/C⌋: the integer square root of q, corrected without overflow.
        let q = target / channels
        var p = max(1, Int(Double(q).squareRoot()))
        while p > 1 && p > q / p { p -= 1 }
        while p + 1 <= q / (p + 1) { p += 1 }
        return p
    }

    /// Features kept of one example whose activation has `shape` (`[D]` or `[C, H, W]`).
    public static func count(shape: [Int], target: Int) -> Int {
        guard shape.count == 3 else { return shape.reduce(1, *) }
        let p = cellsPerSide(channels: shape[0], target: target)
        return p == 0 ? shape[0] : p * p * shape[0]
    }
}
