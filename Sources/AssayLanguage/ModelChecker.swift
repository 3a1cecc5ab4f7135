import AssaySupport
import Foundation

/// Checks `models:`: parses each declaration (layer lists and built-ins), checks the shapes of those
/// that fix their own input, and resolves a model for the data a stage feeds it (on demand: one
/// declaration may meet several data shapes). It keeps its caches; ``models`` is what it returns.
final class ModelChecker: SectionChecker {
    static let builtinArguments: [ParameterSchema] = [
        ParameterSchema("width", .double, default: 1.0, min: 0, max: 8, exclusiveMin: true, doc: "Multiplier of every hidden channel count."),
        ParameterSchema("input", .list(.int), max: 65536, doc: "Input shape [C, H, W], or one image size N for [C, N, N] (default: the sample shape of the data it is trained on)."),
        ParameterSchema("classes", .int, min: 1, doc: "Number of outputs (default: the data set's class count)."),
        ParameterSchema("target", .string, doc: "Segmentation target whose classes the model predicts."),
        ParameterSchema("weights", .path(mustExist: true), doc: "A safetensors file with torchvision-named tensors."),
        ParameterSchema("decoder-kernel", .int, default: 1, min: 1, doc: "Kernel of Squeeze-SegNet's first decoder conv (odd)."),
        ParameterSchema("batch-norm", .bool, doc: "SegNet and Squeeze-SegNet: a batch norm after every conv, before its ReLU (default: true for `segnet`, as the original SegNet; false for `squeeze-segnet`, whose paper lists none)."),
        ParameterSchema("head-kernel", .int, default: 2, min: 2, max: 16,
                        doc: "Kernel of Squeeze-SegNet's final stride-2 transposed conv `conv1_D` (the paper's: 2). Its output is exactly twice its input for any kernel k (padding ⌊(k − 1)/2⌋, output padding k mod 2). With 2, each output pixel sees one pixel of `unpool1`'s output, of which unpooling leaves at least 3/4 zero; larger kernels reach past the zeros."),
        ParameterSchema("encoder-weights", .path(mustExist: true),
                        doc: "squeeze-segnet only: a torchvision `squeezenet1_0` safetensors file loaded into the encoder (conv1, fire2 … fire9); the decoder keeps its initialisation."),
    ]

    /// The built-in arguments that only some architectures take, and which.
    static let architectureSpecificArguments: [String: [BuiltinArchitecture]] = [
        "decoder-kernel": [.squeezeSegnet], "head-kernel": [.squeezeSegnet], "encoder-weights": [.squeezeSegnet],
        "batch-norm": [.segnet, .squeezeSegnet],
    ]

    /// The arguments `arch` takes: the common ones and those of ``architectureSpecificArguments`` that name it.
    static func builtinArguments(for arch: BuiltinArchitecture) -> [ParameterSchema] {
        builtinArguments.filter { architectureSpecificArguments[$0.name]?.contains(arch) ?? true }
    }

    let session: CheckSession
    let targets: CheckedTargets
    /// The models resolved so far, by declaration name (for a stage's use, the data it is trained on).
    private(set) var models: [String: ModelSpec] = [:]
    private var modelCache: [String: ModelSpec?] = [:]
    private var canonicalModels: [String: CanonicalValue] = [:]
    private var modelDeclarations: [String: ModelDeclaration?] = [:]

    init(session: CheckSession, targets: CheckedTargets) {
        self.session = session
        self.targets = targets
    }

    /// Checks every declaration that can be checked without data.
    func run() {
        for entry in loaded.entries("models") { checkModelDeclaration(entry) }
    }

    /// Model declarations take no data set references.
    func dataset(_ name: String, from span: SourceSpan?, path: String) -> DatasetInfo? { nil }

    func checkModelDeclaration(_ entry: SectionEntry) {
        guard let decl = parseModel(entry) else { return }
        // Check shapes now when the declaration fixes them itself; otherwise when a stage feeds it data.
        if let input = decl.input ?? decl.inputSize.map({ [3, $0, $0] }), decl.builtin == nil || decl.classes != nil || decl.target != nil {
            _ = resolveModel(decl, input: input, expectedClasses: nil, task: decl.builtin?.task ?? .classification, use: nil, path: "models.\(entry.name)")
        }
    }

    func parseModel(_ entry: SectionEntry) -> ModelDeclaration? {
        let path = "models.\(entry.name)"
        let v = resolve(entry.node, path: path)
        var decl = ModelDeclaration(name: entry.name, builtin: nil, layers: [], input: nil, inputSize: nil, classes: nil, target: nil, width: 1, decoderKernel: 1, batchNorm: nil, headKernel: 2, weights: nil, encoderWeights: nil, entry: entry, value: v)
        var ctx = StageBindings()
        if let items = v.items {
            guard let layers = parseLayers(items, path: path) else { return nil }
            decl.layers = layers
            return decl
        }
        guard let entries = v.entries, !entries.isEmpty else {
            error("wrong-type", "model `\(entry.name)` must be a list of layers or a built-in such as `{ resnet18: { width: 0.5 } }`", v.span, path: path)
            return nil
        }
        if entries.count == 1, let arch = BuiltinArchitecture(rawValue: entries[0].key) {
            // Another architecture's argument first, named as such (the schema below would only call it unknown).
            for (field, archs) in Self.architectureSpecificArguments.sorted(by: { $0.key < $1.key }) where !archs.contains(arch) {
                guard let given = entries[0].value[field] else { continue }
                let takers = archs.map { "`\($0.rawValue)`" }.joined(separator: " and ")
                error("unknown-field", "`\(field)` applies to \(takers) only, not to `\(arch.rawValue)`", given.span,
                      help: ["remove `\(field):`"], path: "\(path).\(arch.rawValue).\(field)")
                return nil
            }
            let c = checkFields(entries[0].value, Self.builtinArguments(for: arch), path: "\(path).\(arch.rawValue)", slot: "", context: &ctx)
            guard c != .null else { return nil }
            // An argument `arch` takes is in `c` (its default filled) unless it failed its own check, which was reported;
            // one it does not take keeps the default of `builtinArguments`.
            func argument(_ name: String) -> CanonicalValue? {
                c[name] ?? (Self.builtinArguments(for: arch).contains { $0.name == name } ? nil : Self.builtinArguments.first { $0.name == name }?.defaultValue)
            }
            guard let width = argument("width")?.doubleValue, let decoderKernel = argument("decoder-kernel")?.intValue,
                  let headKernel = argument("head-kernel")?.intValue else { return nil }
            decl.builtin = arch
            decl.width = width
            decl.classes = c["classes"]?.intValue
            decl.target = c["target"]?.stringValue
            decl.weights = c["weights"]?.stringValue
            decl.encoderWeights = c["encoder-weights"]?.stringValue
            if decl.weights != nil, decl.encoderWeights != nil, let span = entries[0].value.entries?.first(where: { $0.key == "encoder-weights" })?.keySpan {
                error("conflicting-weights", "model `\(entry.name)` names both `weights:` and `encoder-weights:`", span,
                      label: "`weights:` already sets every tensor",
                      help: ["keep `weights:` to start from a whole \(arch.rawValue), or `encoder-weights:` to start its encoder from torchvision SqueezeNet weights"],
                      path: "\(path).\(arch.rawValue).encoder-weights")
                return nil
            }
            decl.decoderKernel = decoderKernel
            if decl.decoderKernel % 2 == 0 {
                error("out-of-range", "`decoder-kernel` must be odd so the decoder keeps the spatial size, found \(decl.decoderKernel)",
                      entries[0].value["decoder-kernel"]?.span ?? v.span, path: "\(path).\(arch.rawValue).decoder-kernel")
                return nil
            }
            decl.batchNorm = c["batch-norm"]?.boolValue
            decl.headKernel = headKernel
            if let input = c["input"]?.intList {
                if input.count == 1, input[0] > 0 {
                    decl.inputSize = input[0]
                } else {
                    guard let shape = inputShape(input, span: entries[0].value["input"]?.span ?? v.span, path: "\(path).\(arch.rawValue).input") else { return nil }
                    decl.input = shape
                }
            }
            if arch.task == .segmentation, decl.target == nil, decl.classes == nil {
                error("missing-field", "`\(arch.rawValue)` needs `target:` (a segmentation target) or `classes:`", entries[0].keySpan,
                      help: ["add `target: NAME` naming an entry of `segmentation:`"], path: "\(path).\(arch.rawValue)")
                return nil
            }
            if let t = decl.target {
                guard let target = targets.lookup(t, from: entries[0].value["target"]?.span ?? v.span, path: "\(path).\(arch.rawValue).target", in: session) else { return nil }
                if let classes = decl.classes, classes != target.classes.count {
                    error("class-count-mismatch", "`classes: \(classes)` differs from target `\(t)`, which has \(target.classes.count) classes", entries[0].value["classes"]?.span ?? v.span,
                          help: ["remove `classes:`; it follows from the target"], path: "\(path).\(arch.rawValue).classes")
                    return nil
                }
                decl.classes = target.classes.count
            }
            return decl
        }
        if v["layers"] != nil {
            let allowed = ["layers", "input", "weights"]
            for e in entries where !allowed.contains(e.key) {
                var help = ["a layer-list model has `layers:`, `input:`, `weights:`; built-ins are " + BuiltinArchitecture.allCases.map(\.rawValue).joined(separator: ", ")]
                if let s = EditDistance.suggestion(for: e.key, among: allowed + BuiltinArchitecture.allCases.map(\.rawValue)) { help.insert("did you mean `\(s)`?", at: 0) }
                error("unknown-field", "unknown field `\(e.key)` in model `\(entry.name)`", e.keySpan, help: help, path: "\(path).\(e.key)")
            }
            guard let items = v["layers"]?.items else {
                error("wrong-type", "`layers:` must be a list of layers", v["layers"]!.span, path: "\(path).layers")
                return nil
            }
            guard let layers = parseLayers(items, path: "\(path).layers") else { return nil }
            decl.layers = layers
            if let input = v["input"] {
                guard let c = checkValue(input, Self.builtinArguments[1], path: "\(path).input", slot: "", context: &ctx), let l = c.intList,
                      let shape = inputShape(l, span: input.span, path: "\(path).input") else { return nil }
                decl.input = shape
            }
            if let w = v["weights"] {
                guard let c = checkValue(w, Self.builtinArguments[4], path: "\(path).weights", slot: "", context: &ctx) else { return nil }
                decl.weights = c.stringValue
            }
            return decl
        }
        let key = entries[0].key
        var help = ["built-ins: " + BuiltinArchitecture.allCases.map(\.rawValue).joined(separator: ", ") + "; or write a list of layers"]
        if let s = EditDistance.suggestion(for: key, among: BuiltinArchitecture.allCases.map(\.rawValue) + ["layers"]) { help.insert("did you mean `\(s)`?", at: 0) }
        error("unknown-architecture", "unknown architecture `\(key)`", entries[0].keySpan, label: "not a built-in", help: help, path: "\(path).\(key)")
        return nil
    }

    private func inputShape(_ l: [Int], span: SourceSpan, path: String) -> [Int]? {
        if l.contains(where: { $0 < 1 }) || !(l.count == 1 || l.count == 3) {
            error("wrong-type", "`input` must be [C, H, W] (or a vector size [D]) with positive entries", span, path: path)
            return nil
        }
        return l
    }

    private func parseLayers(_ items: [Value], path: String) -> [LayerDecl]? {
        var layers: [LayerDecl] = []
        var names: [String: SourceSpan] = [:]
        var ok = true
        if items.isEmpty {
            error("wrong-type", "a model needs at least one layer", nil, path: path)
            return nil
        }
        for (i, item) in items.enumerated() {
            let p = "\(path)[\(i)]"
            guard let layer = parseLayer(item, path: p) else { ok = false; continue }
            if let name = layer.name {
                if let first = names[name] {
                    error("duplicate-layer-name", "two layers are named `\(name)`", item.span, notes: [DiagnosticNote("first named here", at: first)],
                          help: ["layer names identify units and unpool sources; make them unique"], path: p)
                    ok = false
                }
                names[name] = item.span
            }
            layers.append(layer)
        }
        return ok ? layers : nil
    }

    private func layerKind(_ word: String, span: SourceSpan, path: String) -> LayerKind? {
        if let k = LayerKind(rawValue: word) { return k }
        var help = ["layer kinds: " + LayerKind.allCases.map(\.rawValue).joined(separator: ", ")]
        if let s = EditDistance.suggestion(for: word, among: LayerKind.allCases.map(\.rawValue)) { help.insert("did you mean `\(s)`?", at: 0) }
        error("unknown-layer-kind", "unknown layer kind `\(word)`", span, label: "not a layer kind", help: help, path: path)
        return nil
    }

    /// `relu`, or a kind and its shorthand argument in one word pair: `maxpool 2`, `linear 128`, `dropout 0.5`.
    private func wordLayer(_ text: String, name: String?, span: SourceSpan, itemSpan: SourceSpan, path: String) -> LayerDecl? {
        let parts = text.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true).map(String.init)
        guard let word = parts.first, let kind = layerKind(word, span: span, path: path) else {
            if parts.isEmpty { _ = layerKind(text, span: span, path: path) }
            return nil
        }
        var body = Value(kind: .null, span: span, text: "")
        if parts.count == 2 {
            let argument = parts[1].trimmingCharacters(in: .whitespaces)
            body = Value(kind: Value.resolvePlain(argument), span: span, text: argument)
        }
        return layerArgs(kind, name: name, body: body, span: itemSpan, path: path)
    }

    private func parseLayer(_ item: Value, path: String) -> LayerDecl? {
        if let word = item.string {
            return wordLayer(word, name: nil, span: item.span, itemSpan: item.span, path: path)
        }
        guard let entries = item.entries, entries.count == 1, let e = entries.first else {
            error("wrong-type", "a layer is a kind (`- relu`, `- maxpool 2`), a kind with arguments (`- conv: { out: 32 }`), or a named layer (`- fc1: linear 128`, `- conv1: { conv: { out: 32 } }`)",
                  item.span, path: path)
            return nil
        }
        if let kind = LayerKind(rawValue: e.key) {
            return layerArgs(kind, name: nil, body: e.value, span: item.span, path: path)
        }
        // A named layer: `name: kind` or `name: { kind: args }`.
        let name = e.key
        if let word = e.value.string {
            return wordLayer(word, name: name, span: e.value.span, itemSpan: item.span, path: path)
        }
        guard let inner = e.value.entries, inner.count == 1, let k = inner.first else {
            if e.value.isNull, EditDistance.suggestion(for: name, among: LayerKind.allCases.map(\.rawValue)) != nil {
                _ = layerKind(name, span: e.keySpan, path: path)
                return nil
            }
            error("wrong-type", "layer `\(name)` must be a kind or `{ kind: arguments }`", e.value.span, path: path)
            return nil
        }
        guard let kind = layerKind(k.key, span: k.keySpan, path: path) else { return nil }
        return layerArgs(kind, name: name, body: k.value, span: item.span, path: path)
    }

    private func layerArgs(_ kind: LayerKind, name: String?, body: Value, span: SourceSpan, path: String) -> LayerDecl? {
        let arguments = LayerArguments.arguments(of: kind)
        // Sizes and channel counts are capped so that shape and parameter arithmetic cannot overflow.
        let schema = arguments.map {
            ParameterSchema($0.name, $0.type, default: $0.defaultValue, required: $0.required, min: $0.min,
                            max: $0.type == .int || $0.type == LayerArguments.size ? 65536 : nil,
                            count: $0.type == LayerArguments.size ? 1...2 : nil, doc: $0.doc)
        }
        var ctx = StageBindings()
        var v = body
        if !body.isNull, body.entries == nil {
            guard let first = arguments.first else {
                error("wrong-type", "`\(kind.rawValue)` takes no arguments", body.span, path: path)
                return nil
            }
            v = Value(kind: .map([Value.Entry(key: first.name, keySpan: body.span, value: body)]), span: body.span, text: "")
        }
        if body.isNull, let required = arguments.first(where: \.required) {
            error("missing-field", "`\(kind.rawValue)` needs `\(required.name)`", span, label: "needs `\(required.name)`",
                  help: ["e.g. `- \(kind.rawValue): { \(required.name): ... }` — \(required.doc)"], path: path)
            return nil
        }
        let before = diagnostics.count
        let c = checkFields(v, schema, path: path, slot: "", context: &ctx)
        guard diagnostics.count == before, case .map(let args) = c else { return nil }
        return LayerDecl(kind: kind, name: name, path: nil, args: args, span: span, dataPath: path)
    }

    /// The model `name` resolved for data of `input` shape; checks the output against the expected class count.
    func resolveModel(named name: String, input: [Int], expectedClasses: Int?, task: ModelTask, use: Value, path: String) -> ModelSpec? {
        session.referenced.insert("models.\(name)")
        let parsed: ModelDeclaration?
        if let cached = modelDeclarations[name] { parsed = cached } else {
            parsed = entry("models", name).flatMap(parseModel)
            modelDeclarations[name] = .some(parsed)
        }
        guard let decl = parsed else { return nil }
        return resolveModel(decl, input: input, expectedClasses: expectedClasses, task: task, use: use, path: path)
    }

    func resolveModel(_ decl: ModelDeclaration, input dataShape: [Int], expectedClasses: Int?, task: ModelTask, use: Value?, path: String) -> ModelSpec? {
        let key = "\(decl.name)|\(dataShape)|\(expectedClasses ?? -1)|\(task)"
        if let cached = modelCache[key] { return cached }
        modelCache[key] = .some(nil)
        let modelPath = "models.\(decl.name)"
        var input = dataShape
        if let declared = decl.input ?? decl.inputSize.map({ [dataShape.count == 3 ? dataShape[0] : 3, $0, $0] }) {
            if use != nil, declared != dataShape {
                error("input-shape-mismatch", "model `\(decl.name)` declares input \(shapeText(declared)), but the data it meets has samples of shape \(shapeText(dataShape))",
                      use!.span, label: "data is \(shapeText(dataShape))", notes: [DiagnosticNote("input declared here", at: decl.value.span)],
                      help: ["remove `input:` so the model takes its input shape from the data, or resize the data"], path: path)
                return nil
            }
            input = declared
        }
        if let arch = decl.builtin, arch.task != task {
            error("task-mismatch", "`\(arch.rawValue)` is a \(arch.task.rawValue) model, but this stage does \(task.rawValue)", use?.span ?? decl.entry.keySpan,
                  help: [task == .segmentation ? "use `segnet`, `squeeze-segnet` or a layer list ending in per-pixel class scores" : "use `train` for classifiers and `segmentation-train` for segmentation models"],
                  path: path)
            return nil
        }
        var layers = decl.layers
        var classes = expectedClasses ?? decl.classes ?? 0
        if let arch = decl.builtin {
            if let declared = decl.classes, let expected = expectedClasses, declared != expected {
                error("class-count-mismatch", "model `\(decl.name)` declares \(declared) classes, but the data has \(expected)", use?.span ?? decl.entry.keySpan,
                      notes: [DiagnosticNote("`classes:` declared here", at: decl.value.span)], help: ["remove `classes:` so the model follows the data"], path: path)
                return nil
            }
            if classes == 0 { classes = 1000 }
            layers = arch.layers(width: decl.width, classes: classes, decoderKernel: decl.decoderKernel, batchNorm: decl.batchNorm,
                                 headKernel: decl.headKernel, span: decl.entry.keySpan, dataPath: modelPath)
        }
        var inference = ShapeInference(modelName: decl.name)
        let specs = inference.run(layers, input: input)
        session.diagnostics += inference.diagnostics
        guard let specs, let last = specs.last else { return nil }
        let output = last.outputShape
        let lastDecl = layers[layers.count - 1]
        if use == nil && expectedClasses == nil {
            // A declaration checked on its own: shapes are known, but not what it will be trained for.
            classes = output.first ?? 0
        } else if task == .classification {
            if output.count != 1 {
                error("class-count-mismatch", "model `\(decl.name)` ends with shape \(shapeText(output)), but a classifier must end with one score per class",
                      lastDecl.span, label: "output \(shapeText(output))", help: ["end with `- flatten` or `- global-avgpool` and a `linear` layer"], path: lastDecl.dataPath)
                return nil
            }
            if let expected = expectedClasses, output[0] != expected {
                error("class-count-mismatch", "model `\(decl.name)` ends with \(output[0]) outputs (`\(last.name)`), but the data has \(expected) classes",
                      lastDecl.span, label: "\(output[0]) outputs", help: ["make the last layer `\(last.kind.rawValue): \(expected)`"], path: lastDecl.dataPath)
                return nil
            }
            classes = output[0]
        } else {
            if output.count != 3 || output[1] != input[1] || output[2] != input[2] || (expectedClasses.map { $0 != output[0] } ?? false) {
                let want = "[\(expectedClasses.map(String.init) ?? "K"), \(input.count == 3 ? "\(input[1]), \(input[2])" : "H, W")]"
                error("segmentation-output-mismatch",
                      "model `\(decl.name)` produces \(shapeText(output)) per image, but the segmentation target needs \(want) (one score per class per pixel)",
                      lastDecl.span, label: "output \(shapeText(output))",
                      help: ["the last layer must output one channel per target class at the input's resolution"], path: lastDecl.dataPath)
                return nil
            }
            classes = output[0]
        }
        // Built-ins started from torchvision weights take ImageNet-normalised images, as in PyTorch.
        let normalize = decl.builtin != nil && (decl.weights != nil || decl.encoderWeights != nil) && input.first == 3
        let spec = ModelSpec(
            name: decl.name, architecture: decl.builtin?.rawValue ?? "custom", task: task, inputShape: input, outputShape: output, classes: classes,
            width: decl.width, weights: decl.weights, encoderWeights: decl.encoderWeights,
            normalizeMean: normalize ? BuiltinArchitecture.imagenetMean : [], normalizeStd: normalize ? BuiltinArchitecture.imagenetStd : [], layers: specs)
        if let weights = decl.weights, !checkWeights(weights, spec, decl, path: modelPath) { return nil }
        if let encoder = decl.encoderWeights, !checkEncoderWeights(encoder, spec, decl, path: modelPath) { return nil }
        modelCache[key] = spec
        if use != nil || models[decl.name] == nil { models[decl.name] = spec }
        return spec
    }

    /// Verifies a weights file's tensor names and shapes against the resolved model, without loading data.
    func checkWeights(_ weights: String, _ spec: ModelSpec, _ decl: ModelDeclaration, path: String) -> Bool {
        checkWeightsFile(weights, field: "weights", decl, path: path, what: "model `\(decl.name)` (\(spec.architecture), input \(shapeText(spec.inputShape)))",
                         help: "tensor names follow torchvision's state_dict; check the architecture, `width`, `classes` and `input`") { header in
            header.mismatches(against: spec.allTensors)
        }
    }

    /// Verifies that a torchvision SqueezeNet 1.0 file fits the encoder of a Squeeze-SegNet, from the header alone.
    /// Tensors are named as in the file (`features.5.squeeze.weight`); `classifier.*` is ignored.
    func checkEncoderWeights(_ weights: String, _ spec: ModelSpec, _ decl: ModelDeclaration, path: String) -> Bool {
        checkWeightsFile(weights, field: "encoder-weights", decl, path: path,
                         what: "the encoder of model `\(decl.name)` (squeeze-segnet, width \(Value.text(of: .double(spec.width))), input \(shapeText(spec.inputShape)))",
                         help: "give torchvision `squeezenet1_0` weights (`safetensors.torch.save_file(torchvision.models.squeezenet1_0().state_dict(), path)`); the encoder matches them at `width: 1` with 3 input channels") { header in
            SqueezeNetEncoder.mismatches(of: header, against: spec)
        }
    }

    /// Reads the header of a weights file named by `field` and reports each mismatch `problems` finds, or an unreadable file.
    private func checkWeightsFile(_ weights: String, field: String, _ decl: ModelDeclaration, path: String, what: String, help: String,
                                  problems: (SafetensorsHeader) -> [String]) -> Bool {
        let full = absolutePath(weights)
        let span = decl.value.entries?.first?.value[field]?.span ?? decl.value[field]?.span ?? decl.entry.keySpan
        do {
            willRead(full)
            let header = try SafetensorsHeader.read(path: full)
            let problems = problems(header)
            guard problems.isEmpty else {
                let shown = problems.prefix(20).map { DiagnosticNote($0) } + (problems.count > 20 ? [DiagnosticNote("… and \(problems.count - 20) more")] : [])
                error("weights-mismatch", "\(field) `\(weights)` do not fit \(what): \(problems.count) tensor\(problems.count == 1 ? "" : "s") differ",
                      span, label: "\(problems.count) mismatch\(problems.count == 1 ? "" : "es")", notes: shown, help: [help], path: "\(path).\(field)")
                return false
            }
            return true
        } catch {
            self.error("weights-unreadable", "cannot read \(field) `\(weights)`: \(error)", span, help: ["give a safetensors file (torch: `safetensors.torch.save_file(model.state_dict(), path)`)"],
                       path: "\(path).\(field)")
            return false
        }
    }

    /// A model's canonical form, built once per resolved model (many stages train the same one).
    func canonicalModel(_ spec: ModelSpec) -> CanonicalValue {
        let key = "\(spec.name)|\(spec.inputShape)|\(spec.classes)|\(spec.task)"
        if let c = canonicalModels[key] { return c }
        let c = spec.canonical
        canonicalModels[key] = c
        return c
    }
}
