/// One epoch of a training as the ``Trainer`` records it: the mean training loss, the learning
/// rate it ran at, the training accuracy where the stage computes one (classification), and the
/// validation scores when a `val` split is given. Kept in checkpoints; each stage writes the
/// fields of its `metrics` artifact from it. Timings are reported as progress, never stored, so
/// the artifact's bytes depend only on what was computed.
struct EpochRecord: Codable, Equatable {
    var epoch: Int
    var loss: Double
    var learningRate: Double?
    var accuracy: Double?
    var valAccuracy: Double?
    /// Segmentation: mean IoU on `val`.
    var valMeanIoU: Double?

    enum CodingKeys: String, CodingKey {
        case epoch, loss, accuracy
        case learningRate = "lr"
        case valAccuracy = "val-accuracy"
        case valMeanIoU = "val-mean-iou"
    }
}
