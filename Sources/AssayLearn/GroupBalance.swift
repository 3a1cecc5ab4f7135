/// How a fit on grouped data lets every group count equally.
public enum GroupBalance: String, Sendable, Codable, CaseIterable {
    /// Fit on a subsample in which every group is cut to the size of the smallest
    /// (`GroupSampling.balancedSubsample`).
    case subsample
    /// Fit on every row, each weighted inversely to its group's size
    /// (`GroupSampling.inverseGroupSizeWeights`): every group carries the same total weight.
    case reweight
    /// Fit on every row with equal weights.
    case none
}
