import AssayData
import AssayEngine
import AssayLanguage
import AssaySupport

/// The data set split bound to input `slot` of a stage: every operator reads data sets this way,
/// so a missing input or an unreadable artifact gives the same message everywhere.
func readDataset(_ inputs: [String: ArtifactHandle], _ slot: String, stage: String) throws -> ImageDataset {
    guard let handle = inputs[slot] else {
        throw StageError(stage: stage, path: slot, "the input `\(slot)` is missing", help: "rerun `assay check`; the plan is incomplete")
    }
    do { return try DatasetArtifact.readDataset(from: handle.url) } catch {
        throw StageError(stage: stage, path: slot, "cannot read the data set \(handle.url.path): \(SystemErrorText.message(for: error))")
    }
}

/// The model declaration a training stage receives inlined under `model`. Its name is the
/// fixed word `model`, not the stage's name, so the trained artifact's bytes do not change
/// when a stage is renamed.
struct InlineModel: Decodable {
    let spec: ModelSpec

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let value = try container.decode(CanonicalValue.self)
        do { spec = try ModelSpec(canonical: value, name: "model") } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a model description: \(SystemErrorText.message(for: error))")
        }
    }
}
