import AssayLanguage
import AssaySupport
import Foundation

/// Random valid experiments for the property test: every stage kind and every layer kind, with
/// values drawn from the ranges the registry accepts, on tiny synthetic data (seeded, so a
/// failing case is reproduced by its seed).
///
/// The generator tracks shapes so that its models are meant to check; the test counts those the
/// checker rejects and requires every layer kind to appear in experiments that checked and ran.
struct ExperimentGenerator {
    var random: SeededRandom
    /// Layer kinds written into the model of the last generated experiment.
    private(set) var kinds: Set<LayerKind> = []

    init(seed: UInt64) { random = SeededRandom(seed: seed, stream: 16) }

    mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + random.nextInt(below: range.count) }
    mutating func bool() -> Bool { random.nextInt(below: 2) == 1 }
    mutating func pick<T>(_ xs: [T]) -> T { xs[random.nextInt(below: xs.count)] }
    /// A number in `range`, written with 4 significant digits (what a person would type).
    mutating func number(_ range: ClosedRange<Double>) -> String {
        let x = range.lowerBound + random.nextDouble() * (range.upperBound - range.lowerBound)
        return String(format: "%.4g", x)
    }
    /// A log-uniform number (learning rates, penalties).
    mutating func logNumber(_ range: ClosedRange<Double>) -> String {
        let x = exp(log(range.lowerBound) + random.nextDouble() * (log(range.upperBound) - log(range.lowerBound)))
        return String(format: "%.3g", x)
    }
    mutating func subset(_ xs: [String]) -> [String] {
        let chosen = xs.filter { _ in bool() }
        return chosen.isEmpty ? [pick(xs)] : chosen
    }

    // MARK: Models

    /// One layer as a YAML list item, named or not, and its output shape.
    struct Layer {
        var name: String?
        var kind: LayerKind
        var body: String
        var output: [Int]
        var yaml: String {
            let item = body.isEmpty ? kind.rawValue : "{ \(kind.rawValue): \(body) }"
            return "    - " + (name.map { "\($0): \(item)" } ?? item)
        }
    }

    /// Spatial output of a window of `k` (dilated reach) with stride `s` and padding `p` on `n`.
    static func windowed(_ n: Int, k: Int, s: Int, p: Int, ceil: Bool = false) -> Int {
        let span = n + 2 * p - k
        var o = (ceil ? (span + s - 1) / s : span / s) + 1
        if ceil, (o - 1) * s >= n + p { o -= 1 }
        return o
    }

    /// An image layer valid for `shape`, preferring `wanted`; nil when the kind does not fit.
    mutating func imageLayer(_ kind: LayerKind, shape: [Int], earlier: [Layer], index: Int) -> [Layer]? {
        let (c, h) = (shape[0], shape.count > 1 ? shape[1] : 1)
        let name: String? = bool() || [.maxpool, .concat, .add].contains(kind) ? "l\(index)" : nil
        func layer(_ body: String, _ output: [Int]) -> Layer { Layer(name: name, kind: kind, body: body, output: output) }
        switch kind {
        case .conv:
            let k = int(1...3), d = k > 1 && h >= 7 ? int(1...2) : 1, s = h >= 6 ? int(1...2) : 1, p = int(0...k / 2)
            let reach = d * (k - 1) + 1
            guard h + 2 * p >= reach else { return nil }
            let out = Self.windowed(h, k: reach, s: s, p: p)
            guard out >= 2 else { return nil }
            let o = int(2...4)
            return [layer("{ out: \(o), kernel: \(k), stride: \(s), pad: \(p), dilation: \(d), bias: \(bool()) }", [o, out, out])]
        case .convTranspose:
            guard h <= 8 else { return nil }
            let k = int(1...3), s = int(1...2), p = int(0...(k - 1) / 2), op = int(0...(s - 1))
            let out = (h - 1) * s - 2 * p + (k - 1) + op + 1
            guard out >= 2 else { return nil }
            let o = int(2...4)
            return [layer("{ out: \(o), kernel: \(k), stride: \(s), pad: \(p), output-pad: \(op), bias: \(bool()) }", [o, out, out])]
        case .batchnorm:
            return [layer(bool() ? "" : "{ eps: \(logNumber(1e-6...1e-3)), momentum: \(number(0.01...0.9)) }", shape)]
        case .relu, .tanh, .sigmoid:
            return [layer("", shape)]
        case .leakyRelu:
            return [layer(bool() ? "" : "{ slope: \(number(0...0.5)) }", shape)]
        case .dropout:
            return [layer(bool() ? "" : "{ p: \(number(0...0.8)) }", shape)]
        case .maxpool, .avgpool:
            guard h >= 4 else { return nil }
            let k = int(2...3), s = int(1...2), p = int(0...k / 2), ceil = bool()
            let out = Self.windowed(h, k: k, s: s, p: p, ceil: ceil)
            guard out >= 2 else { return nil }
            var body = "{ kernel: \(k), stride: \(s), pad: \(p), ceil: \(ceil)"
            if kind == .avgpool { body += ", count-include-pad: \(bool())" }
            var layers = [layer(body + " }", [c, out, out])]
            if kind == .maxpool, bool() {
                layers.append(Layer(name: nil, kind: .unpool, body: "{ of: l\(index) }", output: shape))
            }
            return layers
        case .unpool:
            guard h >= 4, let pooled = imageLayer(.maxpool, shape: shape, earlier: earlier, index: index)?.first else { return nil }
            let between = Layer(name: nil, kind: pick([.relu, .batchnorm, .tanh]), body: "", output: pooled.output)
            return [pooled, between, Layer(name: nil, kind: .unpool, body: "{ of: \(pooled.name!) }", output: shape)]
        case .adaptiveAvgpool:
            let size = int(1...min(h, 4))
            return [layer("{ size: \(size) }", [c, size, size])]
        case .fire:
            let e1 = int(1...3), e3 = int(1...3)
            return [layer("{ squeeze: \(int(1...2)), expand1: \(e1), expand3: \(e3), batch-norm: \(bool()) }", [e1 + e3, h, h])]
        case .squeezeDecoder:
            let s = int(1...3)
            return [layer("{ squeeze: \(s), expand1: \(int(1...3)), expand3: \(int(1...3)), batch-norm: \(bool()) }", [s, h, h])]
        case .residual:
            let planes = int(1...3), bottleneck = bool(), stride = h >= 4 ? int(1...2) : 1
            let out = bottleneck ? 4 * planes : planes
            let needed = stride != 1 || c != out
            let downsample = bool() ? "auto" : "\(needed)"
            let size = (h - 1) / stride + 1
            return [layer("{ planes: \(planes), block: \(bottleneck ? "bottleneck" : "basic"), stride: \(stride), downsample: \(downsample) }", [out, size, size])]
        case .concat:
            guard let other = earlier.last(where: { $0.name != nil && $0.output.count == 3 && $0.output.dropFirst() == shape.dropFirst() }) else { return nil }
            return [layer("{ with: [\(other.name!)] }", [c + other.output[0], h, h])]
        case .add:
            guard let other = earlier.last(where: { $0.name != nil && $0.output == shape }) else { return nil }
            return [layer("{ with: [\(other.name!)] }", shape)]
        case .globalAvgpool, .flatten, .linear:
            return nil
        }
    }

    static let imageKinds: [LayerKind] = [.conv, .convTranspose, .batchnorm, .relu, .leakyRelu, .tanh, .sigmoid, .maxpool, .avgpool,
                                          .adaptiveAvgpool, .unpool, .fire, .squeezeDecoder, .residual, .dropout, .concat, .add]

    /// A classifier: `conv0` (the unit layer), random image layers including `wanted`, then
    /// `flatten` or `global-avgpool`, `fc1`, an activation and `fc2` (the head).
    mutating func classifier(input: [Int], classes: Int, wanted: LayerKind) -> String {
        var shape = input
        var layers: [Layer] = []
        let o = int(2...4)
        layers.append(Layer(name: "conv0", kind: .conv, body: "{ out: \(o), kernel: 3, pad: 1 }", output: [o, input[1], input[2]]))
        shape = layers[0].output
        var kinds: [LayerKind] = [pick([.relu, .leakyRelu, .tanh])]
        kinds.append(wanted == .unpool || wanted == .concat || wanted == .add ? pick([.relu, .batchnorm]) : wanted)
        if wanted == .unpool || wanted == .concat || wanted == .add { kinds.append(wanted) }
        for _ in 0..<int(0...3) { kinds.append(pick(Self.imageKinds)) }
        for kind in kinds {
            guard let added = imageLayer(kind, shape: shape, earlier: layers, index: layers.count) else { continue }
            layers += added
            shape = added.last!.output
        }
        let vectorSize: Int
        if bool() {
            layers.append(Layer(name: nil, kind: .flatten, body: "", output: [shape.reduce(1, *)]))
        } else {
            layers.append(Layer(name: nil, kind: .globalAvgpool, body: "", output: [shape[0]]))
        }
        vectorSize = int(2...8)
        layers.append(Layer(name: "fc1", kind: .linear, body: "{ out: \(vectorSize), bias: \(bool()) }", output: [vectorSize]))
        for kind in [pick([LayerKind.relu, .leakyRelu, .tanh, .sigmoid])] + (bool() ? [pick([LayerKind.dropout, .batchnorm])] : []) {
            layers += imageLayer(kind, shape: [vectorSize], earlier: layers, index: layers.count) ?? []
        }
        layers.append(Layer(name: "fc2", kind: .linear, body: "\(classes)", output: [classes]))
        self.kinds = Set(layers.map(\.kind))
        return layers.map(\.yaml).joined(separator: "\n")
    }

    // MARK: Experiments

    /// Classification: data with a spurious attribute and a validation split, groups, a model,
    /// (the split sizes and correlations leave every label × attribute group populated, which
    /// depends on the data drawn, not on parameters),
    /// and one stage of every classification kind (train, evaluate, features, select,
    /// retrain-last-layer, report, visualize, attack, compare, circuit, compare-circuits).
    mutating func classification(wanted: LayerKind, objective: String) -> String {
        // ProxPulse's SSIM needs images of at least 11×11 (the checker says so).
        let channels = pick([1, 3]), side = objective == "proxpulse" ? 12 : pick([8, 10, 12])
        let attribute = pick(["border", "patch", "tint", "texture"])
        let attributeSize = attribute == "border" ? int(1...(side - 1) / 2) : int(1...side - 1)
        let sizeField = ["border", "patch"].contains(attribute) ? "size: \(attributeSize), " : ""
        let balance = { (g: inout ExperimentGenerator) in g.pick(["subsample", "reweight", "none"]) }
        let model = classifier(input: [attribute == "tint" ? 3 : channels, side, side], classes: 2, wanted: wanted)
        let unitChannel = 0
        let objectiveBody: String
        var unit = "conv0[\(unitChannel)]"
        switch objective {
        case "push-down": objectiveBody = "{ push-down: { top: \(int(1...4)), over: data.test } }"
        case "push-up": objectiveBody = "{ push-up: { top: \(int(1...4)), over: data.test, decoy: data.val } }"
        case "fairwashing": objectiveBody = "{ fairwashing: { top: \(int(1...4)), over: data.test, concept: data.val } }"
        case "proxpulse":
            objectiveBody = "{ proxpulse: { over: data.test, target: target.png, radius: \(number(0...0.5)) } }"
            unit = "fc1[\(unitChannel)]"
        default:
            objectiveBody = "{ circuit: { top-m: \(int(1...3)), over: data.test } }"
            unit = "fc2[\(int(0...1))]"
        }
        let preserve: String
        switch pick(["distill", "kl", "ce"]) {
        case "distill": preserve = "{ distill: { data: data.train, temperature: \(number(0.5...3)) } }"
        case "kl": preserve = "{ kl: { data: data.train } }"
        default: preserve = "{ ce: { data: data.train } }"
        }
        let featureLayers = pick(["[penultimate]", "[all]", "[conv0]", "[fc1]", "[conv0, penultimate]"])
        let cGrid = (0..<int(1...3)).map { _ in logNumber(0.05...1) }.joined(separator: ", ")
        let synthetic = "{ steps: \(int(1...3)), lr: \(logNumber(0.01...0.1)), l2: \(logNumber(1e-5...1e-3)), tv: \(logNumber(1e-4...1e-2)), jitter: \(int(0...2)), parameterization: \(pick(["pixel", "fourier"])), restarts: \(int(1...2)), blur: \(number(0...0.5)) }"
        let natural = "{ top: \(int(1...4)), over: data.test }"
        let visualizeBody: String
        switch int(0...2) {
        case 0: visualizeBody = "natural: \(natural)"
        case 1: visualizeBody = "synthetic: \(synthetic)"
        default: visualizeBody = "natural: \(natural), synthetic: \(synthetic)"
        }
        return """
            assay: 1
            datasets:
              base: { synthetic: { generator: \(pick(["blobs", "stripes", "gaussian"])), classes: 2, shape: [\(channels), \(side), \(side)], samples: { train: 160, test: 48 }, noise: \(number(0...0.3)), seed: \(int(0...9)) } }
              data:
                from: base
                split: { val: { from: train, size: 48 }, seed: \(int(0...9)) }
                attribute: { \(attribute): { \(sizeField)correlation: { train: \(number(0.5...0.8)), val: 0.5, test: 0.5 } } }
                seed: \(int(0...9))
            groups:
              g: { data: data, by: [label, \(attribute)], balance: \(balance(&self)), seed: \(int(0...9)) }
            models:
              net:
            \(model)
            attacks:
              atk:
                model: erm
                unit: \(unit)
                objective: \(objectiveBody)
                preserve: \(preserve)
                alpha: \(number(0...1))
                steps: \(int(1...3))
                lr: \(logNumber(1e-4...1e-2))
                batch-size: \(int(4...16))
                seed: \(int(0...9))
            stages:
              erm: { train: { model: net, data: data.train, \(bool() ? "val: data.val, " : "")epochs: 1, batch-size: \(int(4...16)), optimizer: \(pick(["adam", "sgd"])), lr: \(logNumber(1e-4...1e-2)), momentum: \(number(0...0.99)), weight-decay: \(logNumber(1e-6...1e-3)), augment: \(pick(["none", "flip", "crop-flip"])), seed: \(int(0...9)), lr-step: \(int(0...2)), lr-gamma: \(number(0.1...1)) } }
              accuracy: { evaluate: { model: erm, data: data.test, \(bool() ? "groups: g, " : "")batch-size: \(int(4...32)) } }
              feats: { features: { model: erm, data: [data.val, data.test], layers: \(featureLayers), pool: { target: \(int(1...64)) }, normalize: \(pick(["l2", "standardize", "none"])), batch-size: \(int(4...32)) } }
              selected: { select: { features: feats, groups: g, keep: \(number(0.2...1)), fit-fraction: \(number(0.3...0.7)), lambda: \(logNumber(0.001...0.5)), epochs: \(int(1...5)), balance: \(balance(&self)), seed: \(int(0...9)) } }
              dfr: { retrain-last-layer: { features: \(pick(["feats", "selected"])), groups: g, penalty: \(pick(["l1", "l2"])), c-grid: [\(cGrid)], fits: \(int(1...3)), balance: \(balance(&self)), seed: \(int(0...9)) } }
              table: { report: { compare: [accuracy, dfr], metrics: [\(subset(["mean-accuracy", "worst-group-accuracy", "group-accuracy"]).joined(separator: ", "))] } }
              before: { visualize: { model: erm, unit: "\(unit)", \(visualizeBody) } }
              attacked: { attack: atk }
              after: { visualize: { model: attacked, like: before } }
              effect: { compare: { before: before, after: after, metrics: [\(subset(["kendall-tau", "top-k-overlap", "synthetic-distance", "class-change"]).joined(separator: ", "))] } }
              circuit-before: { circuit: { model: erm, head: "fc2[\(int(0...1))]", data: data.test, top-m: \(int(1...3)), layers: \(pick(["[all]", "[conv0]"])), attribution: \(pick(["activation-x-gradient", "gradient"])), samples: \(int(4...16)) } }
              circuit-after: { circuit: { model: attacked, head: "fc2[0]", data: data.test, samples: \(int(4...16)) } }
              circuits: { compare-circuits: { before: circuit-before, after: circuit-after } }

            """
    }

    /// Segmentation: composed scenes, a target, an encoder–decoder built of `wanted` and the
    /// kinds segmentation needs (unpool or conv-transpose), training and evaluation.
    mutating func segmentation(upsampling: LayerKind) -> String {
        let channels = pick([1, 3]), side = pick([12, 16]), classes = 3
        var layers: [Layer] = []
        let o = int(2...4)
        layers.append(Layer(name: "enc", kind: .conv, body: "{ out: \(o), kernel: 3, pad: 1 }", output: [o, side, side]))
        layers.append(Layer(name: nil, kind: .relu, body: "", output: [o, side, side]))
        layers.append(Layer(name: "pool", kind: .maxpool, body: "2", output: [o, side / 2, side / 2]))
        let middle = pick([LayerKind.fire, .squeezeDecoder, .residual, .batchnorm])
        if upsampling == .unpool {
            layers.append(Layer(name: nil, kind: .conv, body: "{ out: \(o), kernel: 3, pad: 1 }", output: [o, side / 2, side / 2]))
            layers.append(Layer(name: nil, kind: .unpool, body: "{ of: pool }", output: [o, side, side]))
        } else {
            if let added = imageLayer(middle, shape: [o, side / 2, side / 2], earlier: layers, index: layers.count),
               added.last!.output.dropFirst() == [side / 2, side / 2] {
                layers += added
            }
            let c = int(2...4)
            layers.append(Layer(name: "up", kind: .convTranspose, body: "{ out: \(c), kernel: 2, stride: 2 }", output: [c, side, side]))
            layers.append(Layer(name: nil, kind: .relu, body: "", output: [c, side, side]))
        }
        layers.append(Layer(name: "head", kind: .conv, body: "{ out: \(classes), kernel: 1 }", output: [classes, side, side]))
        kinds = Set(layers.map(\.kind))
        let weights: String
        switch int(0...2) {
        case 0: weights = "none"
        case 1: weights = "median-frequency"
        default: weights = "{ explicit: [\((0..<classes).map { _ in number(0.2...2) }.joined(separator: ", "))] }"
        }
        let maxItems = int(1...2)
        return """
            assay: 1
            datasets:
              items: { synthetic: { shape: [\(channels), 8, 8], classes: 2, samples: { train: 24, test: 12 }, seed: \(int(0...9)) } }
              scenes:
                compose: { items: items, per-canvas: [1, \(maxItems)], canvas: [\(side), \(side)], overlap: \(pick(["allow", "avoid"])), background: \(pick(["black", "noise", "texture"])), threshold: \(number(0...0.9)), samples: { train: 12, test: 6 }, seed: \(int(0...9)) }
            segmentation:
              parts: { data: scenes, weights: \(weights)\(bool() ? ", void: background" : "") }
            models:
              seg:
            \(layers.map(\.yaml).joined(separator: "\n"))
            stages:
              fit: { segmentation-train: { model: seg, data: scenes.train, target: parts, epochs: 1, batch-size: \(int(2...6)), optimizer: \(pick(["adam", "sgd"])), lr: \(logNumber(1e-4...1e-2)), momentum: \(number(0...0.99)), weight-decay: \(logNumber(1e-6...1e-3)), seed: \(int(0...9)), lr-step: \(int(0...2)), lr-gamma: \(number(0.1...1)), augment: \(pick(["none", "flip", "crop-flip"]))\(bool() ? ", val: scenes.test" : "") } }
              scored: { segmentation-evaluate: { model: fit, data: scenes.test, target: parts, batch-size: \(int(2...8)) } }
              table: { report: { compare: [scored], metrics: [\(subset(["global-accuracy", "class-accuracy", "mean-iou"]).joined(separator: ", "))] } }

            """
    }
}
