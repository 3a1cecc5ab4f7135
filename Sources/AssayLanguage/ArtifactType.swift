/// The kinds of values stages pass to each other.
public enum ArtifactType: String, Codable, Sendable, CaseIterable {
    /// One split of a data set (`fmnist.train`): examples, labels, attributes.
    case dataset
    /// A whole data set with all its splits (the implicit data stages' inputs).
    case datasetSplits = "dataset-splits"
    /// Group assignments (label × attributes) and balancing weights for one data set.
    case groups
    /// A model with trained weights.
    case trainedModel = "trained-model"
    /// Per-example feature vectors (per layer) extracted from a model.
    case features
    /// A retrained last layer (linear head) over features.
    case head
    /// Natural (top-k) and synthetic feature visualisations of units.
    case visualization
    /// A circuit: channels per layer with attribution scores and edges.
    case circuit
    /// Named scalar metrics (accuracy, worst-group accuracy, mIoU...).
    case metrics
    /// A table of metrics across stages.
    case report
    /// A picture for people (PNG): feature visualisations, overlays. Copied to the results folder after a run.
    case image
}

/// The kinds of declaration a stage parameter can name; the declaration is inlined into the parameters.
public enum DeclarationKind: String, Codable, Sendable {
    case model, attack, segmentationTarget = "segmentation-target"
}
