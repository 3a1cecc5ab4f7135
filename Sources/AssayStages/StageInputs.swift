import AssayData
import AssayEngine
import AssayLanguage
import AssaySupport
import Foundation

/// The data set split bound to input `slot` of a stage: every operator reads data sets this way,
/// so a missing input or an unreadable artifact gives the same message everywhere.
///
/// Images and masks stay memory-mapped from the stored artifact and are converted a batch at a
/// time (`BatchIterator`), so a stage holds its model and a few batches, not the data set.
/// `ASSAY_DATA_IN_MEMORY=1` copies them into memory instead (same values, same outputs): for a
/// store on a file system that cannot map files.
func readDataset(_ inputs: [String: ArtifactHandle], _ slot: String, stage: String) throws -> ImageDataset {
    guard let handle = inputs[slot] else {
        throw StageError(stage: stage, path: slot, "the input `\(slot)` is missing", help: "rerun `assay check`; the plan is incomplete")
    }
    let inMemory = ProcessInfo.processInfo.environment["ASSAY_DATA_IN_MEMORY"] == "1"
    do { return try DatasetArtifact.readDataset(from: handle.url, inMemory: inMemory) } catch {
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
