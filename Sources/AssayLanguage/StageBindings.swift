import AssaySupport

/// The references a stage (or declaration) being checked has bound so far: its inputs, the
/// model its units refer to, its data sets and the files it reads. Not the engine's
/// `StageContext`, which is what a stage gets when it runs.
struct StageBindings {
    var inputs: [String: StageOutputRef] = [:]
    /// The trained model's spec, once the `model` reference is resolved (units are checked against it).
    var model: ModelSpec?
    /// Data sets of the resolved `data`-like references, by slot.
    var datasets: [String: DatasetInfo] = [:]
    /// Files and folders the stage reads, by parameter path → absolute path.
    var files: [String: String] = [:]
}
