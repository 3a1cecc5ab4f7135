import AssaySupport
import Foundation

/// Checks `attacks:` and `stages:`: each stage's operator, its fields against its kind's signature,
/// its references (to data sets, group splits, segmentation targets and models checked before, and
/// to other stages, checked on first use, with cycles found), then its kind's own checks
/// (``StageKind/check``). Returns the stages that will run.
final class StageChecker: SectionChecker {
    let session: CheckSession
    let datasets: CheckedDatasets
    let groups: CheckedGroups
    let targets: CheckedTargets
    let models: ModelChecker
    /// Stages checked so far, by name, with what they provide to the stages after them.
    private let checked = CheckedOnFirstUse<StageInfo>()
    var stages: [String: StageInfo] { checked.found }
    private var instances: [StageInstance] = []

    init(session: CheckSession, datasets: CheckedDatasets, groups: CheckedGroups, targets: CheckedTargets, models: ModelChecker) {
        self.session = session
        self.datasets = datasets
        self.groups = groups
        self.targets = targets
        self.models = models
    }

    func run() -> [StageInstance] {
        for entry in loaded.entries("attacks") { checkAttackDeclaration(entry) }
        let entries = loaded.entries("stages")
        checked.reserveCapacity(entries.count)
        instances.reserveCapacity(entries.count)
        var attackNames: [String: [String]] = [:]
        for attack in loaded.entries("attacks") { attackNames[attack.name] = Elaborator.scalars(attack.node) }
        // Check in dependency order so that long chains never recurse deeply (see `Elaborator.dependencyOrder`).
        for name in Elaborator.dependencyOrder(entries, among: Set(session.index["stages"]?.keys ?? [:].keys), extra: attackNames) {
            _ = stage(name, from: nil, path: "stages.\(name)")
        }
        return instances
    }

    func dataset(_ name: String, from span: SourceSpan?, path: String) -> DatasetInfo? { datasets.lookup(name, from: span, path: path, in: session) }

    func group(_ name: String, from span: SourceSpan?, path: String) -> (stage: String, dataset: String)? { groups.lookup(name, from: span, path: path, in: session) }

    /// Binds a reference to another stage's output of type `artifact` (its model, features, ...).
    func resolveStageOutput(_ v: Value, _ text: String, _ artifact: ArtifactType, slot: String, path: String, context: inout StageBindings) {
        guard entry("stages", text) != nil else {
            var extra: [String] = []
            if artifact == .trainedModel, entry("models", text) != nil {
                error("untrained-model", "`\(text)` is a model declaration, not a trained model", v.span, label: "declared under `models:`",
                      help: ["train it in a stage first, e.g. `erm: { train: { model: \(text), data: ... } }`, and refer to that stage"], path: path)
                return
            }
            if artifact == .trainedModel { extra = ["a trained model is the output of a `train`, `attack` or `segmentation-train` stage"] }
            unknown("unknown-stage", what: "stage", name: text, at: v.span, section: "stages", candidates: loaded.entries("stages").map(\.name), path: path, extraHelp: extra)
            return
        }
        guard let info = stage(text, from: v.span, path: path) else { return }
        guard let output = info.signature.outputs.first(where: { $0.type == artifact }) else {
            let produces = info.signature.outputs.map { $0.type.rawValue }.joined(separator: ", ")
            let producers = registry.stageOperators.filter { $0.outputs.contains { $0.type == artifact } }.map { "`\($0.name)`" }.joined(separator: ", ")
            error("wrong-stage-kind", "stage `\(text)` (`\(info.signature.name)`) outputs \(produces), not a \(artifact.rawValue)", v.span,
                  label: "expected a \(artifact.rawValue)", notes: [DiagnosticNote("`\(text)` is declared here", at: info.declaration.keySpan)],
                  help: ["a \(artifact.rawValue) comes from a \(producers) stage"], path: path)
            return
        }
        context.inputs[slot] = StageOutputRef(stage: text, output: output.name)
        if artifact == .trainedModel { context.model = info.model }
        if artifact == .features { context.model = info.featuresModel }
    }

    /// Inlines a declaration (model, attack, segmentation target) into a stage's parameters.
    func inlineDeclaration(_ v: Value, _ kind: DeclarationKind, slot: String, path: String, context: inout StageBindings) -> CanonicalValue? {
        guard let name = v.string else {
            if v.isUnresolved { return nil }
            error("wrong-type", "expected the name of a \(kind.rawValue) declaration, found \(v.kindName)", v.span, path: path)
            return nil
        }
        switch kind {
        case .model:
            // Resolved by the stage once its data is known (see checkTrain).
            guard entry("models", name) != nil else {
                unknown("unknown-model", what: "model", name: name, at: v.span, section: "models", candidates: loaded.entries("models").map(\.name), path: path,
                        extraHelp: entry("stages", name) != nil ? ["`\(name)` is a stage; `train` needs a model declaration from `models:`"] : [])
                return nil
            }
            return .string(name)
        case .attack:
            session.referenced.insert("attacks.\(name)")
            guard let decl = entry("attacks", name) else {
                unknown("unknown-attack", what: "attack", name: name, at: v.span, section: "attacks", candidates: loaded.entries("attacks").map(\.name), path: path)
                return nil
            }
            return checkAttack(decl, slot: slot, context: &context)
        case .segmentationTarget:
            guard let t = targets.lookup(name, from: v.span, path: path, in: session) else { return nil }
            return t.canonical
        }
    }

    /// The stage `name`, checked on first use; `from` is the span of the reference that asked for it.
    func stage(_ name: String, from span: SourceSpan?, path: String) -> StageInfo? {
        if let info = checked.found[name] { return info }
        guard let entry = entry("stages", name) else { return nil }
        let at = span ?? entry.keySpan
        return checked.info(name, report: { problem in
            switch problem {
            case .cycle(let cycle):
                error("stage-cycle", "stages depend on each other in a cycle: " + cycle.joined(separator: " → "), at, label: "cycle closes here",
                      help: ["a stage can only use outputs of stages that do not depend on it"], path: path)
            case .tooDeep:
                error("dependency-too-deep", "stage references nest more than \(Elaborator.maxNesting) levels deep (through `\(name)`)", at,
                      help: ["this happens with a very long cycle of stages; check which stage the chain should start from"], path: path)
            }
        }, check: { checkStage(entry) })
    }

    private func checkStage(_ entry: SectionEntry) -> StageInfo? {
        let name = entry.name
        let path = "stages.\(name)"
        if name.contains(".") || name.isEmpty {
            error("bad-name", "stage name `\(name)` must not be empty or contain `.`", entry.keySpan, help: ["use letters, digits, `-` and `_`"], path: path)
            return nil
        }
        let resolveStart = session.diagnostics.count
        let v = resolve(entry.node, path: path)
        guard let entries = v.entries else {
            error("wrong-type", "stage `\(name)` must be a mapping `{ OPERATOR: { ... } }`, found \(v.kindName)", v.span,
                  help: ["e.g. `\(name): { train: { model: cnn, data: fmnist.train } }`"], path: path)
            return nil
        }
        let operators = entries.filter { $0.key != "resources" }
        guard operators.count == 1, let op = operators.first else {
            if operators.isEmpty {
                error("missing-operator", "stage `\(name)` does not say what it computes", entry.keySpan,
                      help: ["add one operator: " + registry.stageOperators.map(\.name).joined(separator: ", ")], path: path)
            } else {
                error("conflicting-operators", "stage `\(name)` has several operators: " + operators.map { "`\($0.key)`" }.joined(separator: ", "), operators[1].keySpan,
                      help: ["split it into one stage per operator"], path: path)
            }
            return nil
        }
        guard let signature = registry.signature(op.key), !signature.isImplicit else {
            var help = ["operators: " + registry.stageOperators.map(\.name).joined(separator: ", ")]
            if let s = EditDistance.suggestion(for: op.key, among: registry.stageOperators.map(\.name)) { help.insert("did you mean `\(s)`?", at: 0) }
            if registry.signature(op.key)?.isImplicit == true { help = ["`\(op.key)` runs implicitly for declarations under `datasets:`/`groups:`; it cannot be a stage"] }
            error("unknown-operator", "unknown operator `\(op.key)`", op.keySpan, label: "not an operator", help: help, path: "\(path).\(op.key)")
            return nil
        }
        // Data paths leave out the operator (`stages.erm.data`, not `stages.erm.train.data`).
        for i in resolveStart..<session.diagnostics.count {
            if let p = session.diagnostics[i].path, p.hasPrefix("\(path).\(op.key).") {
                session.diagnostics[i].path = path + "." + p.dropFirst(path.count + op.key.count + 2)
            }
        }
        var body = op.value
        if body.entries == nil, !body.isNull, let shorthand = signature.shorthand {
            body = Value(kind: .map([Value.Entry(key: shorthand, keySpan: body.span, value: body)]), span: body.span, text: "")
        }
        var context = StageBindings()
        let before = session.diagnostics.count
        var params = checkFields(body, signature.parameters, path: path, slot: "", context: &context, retired: signature.retired)
        var resources = session.defaultResources
        if let r = v.entry("resources") {
            let c = checkFields(r.value, registry.resources, path: "\(path).resources", slot: "", context: &context)
            resources = session.defaultResources.overridden(by: c, given: r.value)
        }
        let fieldsOK = session.diagnostics.count == before
        let declaredMemory = v.entry("resources")?.value["memory"] != nil ? resources.memoryBytes : nil
        guard case .map(let p) = params else { return nil }
        var check = StageCheck(name: name, path: path, signature: signature, body: body, keySpan: op.keySpan, declaredMemory: declaredMemory, parameters: p,
                               bindings: context, outputs: Dictionary(uniqueKeysWithValues: signature.outputs.map { ($0.name, $0.type) }))
        if let kind = StageKind.named(signature.name), !kind.check(&check, self) { return nil }
        if let code = SharedCode.parameter(for: signature.sharedCode) { check.parameters["code"] = code }
        params = .map(check.parameters)
        let info = StageInfo(name: name, signature: signature, model: check.model, featuresModel: check.featuresModel, parameters: params, declaration: entry)
        // A stage with errors still informs its dependents (its model's units), but is not emitted.
        guard fieldsOK else { return info }
        instances.append(StageInstance(id: name, operatorName: signature.name, operatorVersion: signature.version, parameters: params, inputs: check.bindings.inputs,
                                       outputs: check.outputs, resources: resources, span: entry.keySpan, files: check.bindings.files))
        return info
    }

    /// The data a trained model meets must have its input shape (and, for classifiers, its class count).
    func checkDataFits(_ spec: ModelSpec, _ data: DatasetInfo, use: Value?, path: String) -> Bool {
        if data.sampleShape != spec.inputShape {
            error("shape-mismatch", "`\(data.name)` has samples of shape \(shapeText(data.sampleShape)), but model `\(spec.name)` takes \(shapeText(spec.inputShape))",
                  use?.span, label: "samples \(shapeText(data.sampleShape))", help: ["use data shaped like the data the model was trained on"], path: path)
            return false
        }
        if spec.task == .classification, data.task == .classification, data.classes.count != spec.classes {
            error("class-count-mismatch", "`\(data.name)` has \(data.classes.count) classes, but model `\(spec.name)` predicts \(spec.classes)", use?.span,
                  help: ["evaluate on data with the classes the model was trained on"], path: path)
            return false
        }
        return true
    }

    func checkLayerNames(_ names: [String], _ spec: ModelSpec, _ node: Value?, path: String) -> Bool {
        var ok = true
        for (i, layer) in names.enumerated() where !["all", "penultimate"].contains(layer) && spec.layer(tapped: layer) == nil {
            let candidates = Set(spec.flattenedLayers.flatMap { [$0.name, $0.path] } + spec.tapNames)
            var help = ["layers of `\(spec.name)`: " + spec.tapNames.joined(separator: ", ") + "; or `all`, `penultimate`"]
            if let s = EditDistance.suggestion(for: layer, among: candidates) { help.insert("did you mean `\(s)`?", at: 0) }
            error("unknown-layer", "model `\(spec.name)` has no layer `\(layer)`", node?.items?[safe: i]?.span ?? node?.span, label: "unknown layer", help: help, path: "\(path)[\(i)]")
            ok = false
        }
        return ok
    }

    // MARK: Attacks

    func checkAttackDeclaration(_ entry: SectionEntry) {
        var context = StageBindings()
        _ = checkAttack(entry, slot: "attack", context: &context)
    }

    /// Checks an attack declaration in the context of the stage that runs it; its references become that stage's
    /// inputs, and its `model:` the stage's attacked model (`context.model`).
    func checkAttack(_ entry: SectionEntry, slot: String, context: inout StageBindings) -> CanonicalValue? {
        let path = "attacks.\(entry.name)"
        let v = resolve(entry.node, path: path)
        let before = session.diagnostics.count
        let c = checkFields(v, registry.declarations["attack"]!, path: path, slot: slot, context: &context)
        guard session.diagnostics.count == before, let spec = context.model else { return nil }
        guard StageKind.checkAttackDeclaration(v, model: spec, bindings: context, slot: slot, path: path, self) else { return nil }
        return c
    }
}
