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

/// The model declaration a training stage received inlined under `model`. Its name is the
/// fixed word `model`, not the stage's name, so the trained artifact's bytes do not change
/// when a stage is renamed.
func decodeModel(_ p: StageParameters, stage: String) throws -> ModelSpec {
    guard let value = p.lookup("model") else { throw StageError(stage: stage, path: "model", "no model description in the parameters") }
    do { return try ModelSpec(canonical: value, name: "model") } catch {
        throw StageError(stage: stage, path: "model", "\(SystemErrorText.message(for: error))", help: "rerun `assay check`; the planner and the operator disagree about the model's form")
    }
}
