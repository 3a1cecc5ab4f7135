import Foundation
import AssaySupport

extension Elaborator {
    /// The stage `name`, checked on first use; `from` is the span of the reference that asked for it.
    func stage(_ name: String, from span: SourceSpan?, path: String) -> StageInfo? {
        if let info = stages[name] { return info }
        if failedStages.contains(name) { return nil }
        guard let entry = entry("stages", name) else { return nil }
        if let start = stageVisiting.firstIndex(of: name) {
            let cycle = stageVisiting[start...] + [name]
            error("stage-cycle", "stages depend on each other in a cycle: " + cycle.joined(separator: " → "), span ?? entry.keySpan, label: "cycle closes here",
                  help: ["a stage can only use outputs of stages that do not depend on it"], path: path)
            return nil
        }
        if stageVisiting.count >= Self.maxNesting {
            error("dependency-too-deep", "stage references nest more than \(Self.maxNesting) levels deep (through `\(name)`)", span ?? entry.keySpan,
                  help: ["this happens with a very long cycle of stages; check which stage the chain should start from"], path: path)
            return nil
        }
        stageVisiting.append(name)
        defer { stageVisiting.removeLast() }
        guard let info = checkStage(entry) else {
            failedStages.insert(name)
            return nil
        }
        stages[name] = info
        return info
    }

    private func checkStage(_ entry: SectionEntry) -> StageInfo? {
        let name = entry.name
        let path = "stages.\(name)"
        if name.contains(".") || name.isEmpty {
            error("bad-name", "stage name `\(name)` must not be empty or contain `.`", entry.keySpan, help: ["use letters, digits, `-` and `_`"], path: path)
            return nil
        }
        let resolveStart = diagnostics.count
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
        for i in resolveStart..<diagnostics.count {
            if let p = diagnostics[i].path, p.hasPrefix("\(path).\(op.key).") {
                diagnostics[i].path = path + "." + p.dropFirst(path.count + op.key.count + 2)
            }
        }
        var body = op.value
        if body.entries == nil, !body.isNull, let shorthand = signature.shorthand {
            body = Value(kind: .map([Value.Entry(key: shorthand, keySpan: body.span, value: body)]), span: body.span, text: "")
        }
        var context = StageContext(stage: name)
        let before = diagnostics.count
        var params = checkFields(body, signature.parameters, path: path, slot: "", context: &context, retired: signature.retired)
        var resources = defaultResources
        if let r = v.entry("resources") {
            let c = checkFields(r.value, registry.resources, path: "\(path).resources", slot: "", context: &context)
            resources = self.resources(from: c, given: r.value, base: defaultResources)
        }
        let fieldsOK = diagnostics.count == before
        let declaredMemory = v.entry("resources")?.value["memory"] != nil ? resources.memoryBytes : nil
        guard case .map(var p) = params else { return nil }
        var model: ModelSpec? = nil
        var featuresModel: ModelSpec? = nil
        switch signature.name {
        case "train", "segmentation-train":
            let task: ModelTask = signature.name == "train" ? .classification : .segmentation
            guard let data = context.datasets["data"], let modelName = p["model"]?.stringValue, let use = body["model"] else { return nil }
            if data.task != task {
                error("wrong-data-kind", "`\(signature.name)` needs \(task.rawValue) data, but `\(data.name)` is a \(data.task.rawValue) data set", body["data"]?.span ?? body.span,
                      help: [task == .classification ? "use `segmentation-train` for segmentation data" : "use `train` for classification data"], path: "\(path).data")
                return nil
            }
            var expected = data.classes.count
            if task == .segmentation, let t = targets.values.first(where: { $0.canonical == p["target"] }) {
                if t.dataset.name != data.name, t.classes != data.classes {
                    error("class-count-mismatch", "target classes (\(t.classes.count)) differ from the classes of `\(data.name)` (\(data.classes.count))", body["target"]?.span ?? body.span, path: "\(path).target")
                    return nil
                }
                expected = t.classes.count
            }
            guard let spec = resolveModel(named: modelName, input: data.sampleShape, expectedClasses: expected, task: task, use: use, path: "\(path).model") else { return nil }
            if let val = context.datasets["val"], val.sampleShape != data.sampleShape {
                error("shape-mismatch", "`val` samples are \(shapeText(val.sampleShape)) but training samples are \(shapeText(data.sampleShape))", body["val"]?.span ?? body.span, path: "\(path).val")
                return nil
            }
            p["model"] = canonicalModel(spec)
            model = spec
            let batchSize = p["batch-size"]?.intValue ?? 64
            checkMemory(trainingMemory(spec, batchSize: batchSize), stage: name,
                        what: "model `\(spec.name)` (\(spec.parameterCount) parameters) and a batch of \(batchSize)", declared: declaredMemory,
                        at: use.span, field: "model", path: "\(path).model",
                        help: ["use a smaller model, a smaller `batch-size:`, or smaller images", "on a cluster, declare `resources: { memory: ... }`"])
            checkBatchNormBatches(spec, batchSize: batchSize, context: context, at: body["batch-size"]?.span ?? op.keySpan, path: "\(path).batch-size")
            for (field, file) in [("weights", spec.weights), ("encoder-weights", spec.encoderWeights)] {
                guard let file else { continue }
                context.files["model.\(field)"] = absolutePath(file)
            }
        case "evaluate", "segmentation-evaluate", "circuit":
            guard let spec = context.model, let data = context.datasets["data"] else { break }
            guard checkDataFits(spec, data, use: body["data"], path: "\(path).data") else { return nil }
            if signature.name == "segmentation-evaluate", let classes = p["target"]?["classes"]?.listValue, classes.count != spec.classes {
                error("segmentation-output-mismatch", "model outputs \(spec.classes) classes but the target has \(classes.count)", body["target"]?.span ?? body.span, path: "\(path).target")
                return nil
            }
            if let groupsName = body["groups"]?.string, let g = groups[groupsName], g.dataset != data.name, datasets[g.dataset]?.stage != data.stage {
                error("groups-data-mismatch", "group split `\(groupsName)` groups `\(g.dataset)`, but this stage evaluates on `\(data.name)`", body["groups"]!.span,
                      help: ["use a group split declared with `data: \(data.name)`"], path: "\(path).groups")
                return nil
            }
            if signature.name == "circuit", let layers = p["layers"]?.listValue?.compactMap(\.stringValue) {
                guard checkLayerNames(layers, spec, body["layers"], path: "\(path).layers") else { return nil }
            }
        case "features":
            guard let spec = context.model else { break }
            for (slot, data) in context.datasets where slot.hasPrefix("data") {
                guard checkDataFits(spec, data, use: body["data"], path: "\(path).data") else { return nil }
            }
            let requested = p["layers"]?.listValue?.compactMap(\.stringValue) ?? []
            guard checkLayerNames(requested, spec, body["layers"], path: "\(path).layers") else { return nil }
            let layers: [LayerSpec]
            do { layers = try spec.featureLayers(requested) } catch let failure {
                error("unknown-layer", (failure as? FeatureLayerError)?.message ?? "\(failure)", body["layers"]?.span ?? op.keySpan,
                      help: ["name layers of `\(spec.name)`: " + spec.tapNames.joined(separator: ", ")], path: "\(path).layers")
                return nil
            }
            let target = p["pool"]?["target"]?.intValue ?? 1024
            let memory = featuresMemory(spec, layers: layers, target: target, context: context)
            let targetSpan = body["pool"]?["target"]?.span
            checkMemory(memory.bytes, stage: name,
                        what: "\(memory.perExample) features per example × \(memory.examples)\(memory.known ? "" : " or more") examples (4-byte floats, recorded and normalised)",
                        declared: declaredMemory, at: targetSpan ?? body["layers"]?.span ?? op.keySpan,
                        field: targetSpan != nil ? "pool.target" : "layers", path: targetSpan != nil ? "\(path).pool.target" : "\(path).layers",
                        help: ["a smaller `pool: { target: N }` keeps at most N features per layer (default 1024)", "or record fewer `layers:`"])
            featuresModel = spec
        case "select", "retrain-last-layer":
            featuresModel = context.model
            // `balance`, when the stage does not give it, is the one its `groups:` declaration gives.
            if body["balance"]?.isNull ?? true, let ref = context.inputs["groups"],
               let declared = instances.first(where: { $0.id == ref.stage })?.parameters["balance"] {
                p["balance"] = declared
            }
            if let spec = context.model, let layers = p["layers"]?.listValue?.compactMap(\.stringValue) {
                guard checkLayerNames(layers, spec, body["layers"], path: "\(path).layers") else { return nil }
                // The features name their blocks by tap name: an index (`4`) becomes the name it is recorded under.
                p["layers"] = .list(layers.map { name in .string(spec.layer(tapped: name).map { spec.tapName(ofPath: $0.path) } ?? name) })
            }
        case "visualize":
            if let likeRef = context.inputs.removeValue(forKey: "like"), let like = stages[likeRef.stage] {
                for key in ["unit", "natural", "synthetic"] where p[key] == nil || p[key] == .null {
                    p[key] = like.parameters[key] ?? .null
                }
                if body["natural"] == nil, let likeEntry = self.entry("stages", likeRef.stage) {
                    // The natural images are ranked over the same split as the stage it imitates.
                    let likeBody = resolve(likeEntry.node, path: "stages.\(likeRef.stage)")["visualize"]
                    if let over = likeBody?["natural"]?["over"] {
                        var ctx = StageContext(stage: name)
                        resolveReference(over, .dataset, slot: "natural.over", path: "\(path).natural.over", context: &ctx)
                        context.inputs.merge(ctx.inputs) { a, _ in a }
                    }
                }
                if let spec = context.model, let unit = p["unit"], let layer = unit["layer"]?.stringValue, let channel = unit["channel"]?.intValue {
                    _ = checkUnit(Value(kind: .string("\(layer)[\(channel)]"), span: body["like"]!.span, text: "\(layer)[\(channel)]"), path: "\(path).like", context: StageContext(stage: name, model: spec))
                }
            }
            if (p["unit"] == nil || p["unit"] == .null) && body["unit"] == nil && body["like"] == nil {
                error("missing-field", "`visualize` needs a `unit:` (or `like:` naming a stage that has one)", op.keySpan, help: ["add `unit: conv2[5]`"], path: "\(path).unit")
                return nil
            }
            if (p["unit"] ?? .null) == .null { return nil }
            if (p["natural"] ?? .null) == .null && (p["synthetic"] ?? .null) == .null {
                error("missing-field", "`visualize` needs `natural:`, `synthetic:` or both", op.keySpan,
                      help: ["add `natural: { top: 9, over: DATA.test }` and/or `synthetic: { steps: 256 }`"], path: path)
                return nil
            }
            if let spec = context.model, let data = context.datasets["natural.over"] {
                guard checkDataFits(spec, data, use: body["natural"]?["over"], path: "\(path).natural.over") else { return nil }
            }
        case "attack":
            model = attackedModel
            attackedModel = nil
        default:
            break
        }
        if let code = SharedCode.parameter(for: signature.sharedCode) { p["code"] = code }
        params = .map(p)
        // A stage with errors still informs its dependents (its model's units), but is not emitted.
        guard fieldsOK else { return StageInfo(name: name, signature: signature, model: model, featuresModel: featuresModel, parameters: params, declaration: entry) }
        var outputs = Dictionary(uniqueKeysWithValues: signature.outputs.map { ($0.name, $0.type) })
        // A visualisation writes the pictures it was asked for: none is promised that will not exist.
        if signature.name == "visualize" {
            for (key, picture) in [("natural", "natural.png"), ("synthetic", "synthetic.png")] where (p[key] ?? .null) == .null { outputs[picture] = nil }
        }
        instances.append(StageInstance(id: name, operatorName: signature.name, operatorVersion: signature.version, parameters: params, inputs: context.inputs,
                                       outputs: outputs, resources: resources, span: entry.keySpan, files: context.files))
        return StageInfo(name: name, signature: signature, model: model, featuresModel: featuresModel, parameters: params, declaration: entry)
    }

    /// The data a trained model meets must have its input shape (and, for classifiers, its class count).
    private func checkDataFits(_ spec: ModelSpec, _ data: DatasetInfo, use: Value?, path: String) -> Bool {
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

    private func checkLayerNames(_ names: [String], _ spec: ModelSpec, _ node: Value?, path: String) -> Bool {
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

    /// A model's canonical form, built once per resolved model (many stages train the same one).
    func canonicalModel(_ spec: ModelSpec) -> CanonicalValue {
        let key = "\(spec.name)|\(spec.inputShape)|\(spec.classes)|\(spec.task)"
        if let c = canonicalModels[key] { return c }
        let c = spec.canonical
        canonicalModels[key] = c
        return c
    }

    // MARK: Attacks

    func checkAttackDeclaration(_ entry: SectionEntry) {
        var context = StageContext(stage: "attacks.\(entry.name)")
        _ = checkAttack(entry, slot: "attack", context: &context)
        attackedModel = nil
    }

    /// Checks an attack declaration in the context of the stage that runs it; its references become that stage's inputs.
    func checkAttack(_ entry: SectionEntry, slot: String, context: inout StageContext) -> CanonicalValue? {
        let path = "attacks.\(entry.name)"
        let v = resolve(entry.node, path: path)
        let before = diagnostics.count
        let c = checkFields(v, registry.declarations["attack"]!, path: path, slot: slot, context: &context)
        guard diagnostics.count == before, let spec = context.model else { return nil }
        for (slotName, data) in context.datasets where slotName.hasPrefix(slot + ".") {
            if data.sampleShape != spec.inputShape {
                error("shape-mismatch", "`\(data.name)` has samples of shape \(shapeText(data.sampleShape)), but model `\(spec.name)` takes \(shapeText(spec.inputShape))",
                      v.span, path: path)
                return nil
            }
        }
        // ProxPulse scores the synthetic image against its target with SSIM, whose window
        // (AssayLearn's StructuralSimilarity) is 11×11 pixels.
        if let objective = v["objective"], objective["proxpulse"] != nil, spec.inputShape.count == 3, min(spec.inputShape[1], spec.inputShape[2]) < 11 {
            error("image-too-small", "a `proxpulse` attack compares images with an 11×11 SSIM window, but model `\(spec.name)` takes \(spec.inputShape[1])×\(spec.inputShape[2]) images",
                  objective.span, label: "needs images of at least 11×11", help: ["use images of at least 11×11 pixels, or another objective"], path: "\(path).objective")
            return nil
        }
        attackedModel = spec
        return c
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
