/// One line of a training's `metrics` artifact: the epoch's mean training loss and accuracy,
/// and the validation accuracy when a `val` split is given. Timings are reported as progress,
/// never stored, so the artifact's bytes depend only on what was computed.
struct EpochRecord: Codable, Equatable {
    var epoch: Int
    var loss: Double
    var accuracy: Double
    var valAccuracy: Double?

    enum CodingKeys: String, CodingKey {
        case epoch, loss, accuracy
        case valAccuracy = "val-accuracy"
    }
}
