import AssaySupport
import AssaySyntax
import Foundation

/// A checker of one section of an experiment (data sets, groups, segmentation targets, models,
/// stages, settings). They share a ``CheckSession`` and the checking of fields against schemas
/// (`SectionChecker+Fields.swift`) and of references; each says what the references of its section
/// can reach: a data set checker checks the data sets it meets, later sections look them up in
/// what the data set checker returned.
protocol SectionChecker: AnyObject {
    var session: CheckSession { get }
    /// The data set `name`; `from` is the span of the reference (nil when checking the declaration itself).
    func dataset(_ name: String, from span: SourceSpan?, path: String) -> DatasetInfo?
    /// The group split `name` (sections checked before `groups:` have none).
    func group(_ name: String, from span: SourceSpan?, path: String) -> (stage: String, dataset: String)?
    /// Binds a reference to a stage's output (sections checked before `stages:` have none).
    func resolveStageOutput(_ v: Value, _ text: String, _ artifact: ArtifactType, slot: String, path: String, context: inout StageBindings)
    /// Inlines a declaration (model, attack, segmentation target) into a stage's parameters.
    func inlineDeclaration(_ v: Value, _ kind: DeclarationKind, slot: String, path: String, context: inout StageBindings) -> CanonicalValue?
}

extension SectionChecker {
    func group(_ name: String, from span: SourceSpan?, path: String) -> (stage: String, dataset: String)? { nil }
    func resolveStageOutput(_ v: Value, _ text: String, _ artifact: ArtifactType, slot: String, path: String, context: inout StageBindings) {}
    func inlineDeclaration(_ v: Value, _ kind: DeclarationKind, slot: String, path: String, context: inout StageBindings) -> CanonicalValue? { nil }

    var registry: OperatorRegistry { session.registry }
    var loaded: LoadedExperiment { session.loaded }
    /// The diagnostics so far (a checker compares counts to see whether a check added one).
    var diagnostics: [Diagnostic] { session.diagnostics }

    func error(_ id: MessageID, _ message: String, _ span: SourceSpan?, label: String? = nil, notes: [DiagnosticNote] = [], help: [String] = [], path: String?) {
        session.error(id, message, span, label: label, notes: notes, help: help, path: path)
    }

    func absolutePath(_ path: String) -> String { session.absolutePath(path) }
    func probe(_ path: String) -> (exists: Bool, isDirectory: Bool) { session.probe(path) }
    func willRead(_ path: String) { session.willRead(path) }
    func resolve(_ node: YAMLNode, path: String) -> Value { session.resolve(node, path: path) }
    func entry(_ section: String, _ name: String) -> SectionEntry? { session.entry(section, name) }
    func shapeText(_ s: [Int]) -> String { CheckSession.shapeText(s) }

    func unknown(_ id: MessageID, what: String, name: String, at span: SourceSpan, section: String, candidates: [String], path: String, extraHelp: [String] = []) {
        session.unknown(id, what: what, name: name, at: span, section: section, candidates: candidates, path: path, extraHelp: extraHelp)
    }

    /// Resolves a reference to an artifact and records it as an input of the stage being checked.
    func resolveReference(_ v: Value, _ artifact: ArtifactType, slot: String, path: String, context: inout StageBindings) {
        if v.isUnresolved { return }
        guard let text = v.string ?? (v.text.isEmpty ? nil : v.text) else {
            error("wrong-type", "expected a reference to a \(artifact.rawValue), found \(v.kindName)", v.span, path: path)
            return
        }
        // `""`, `"."`, `"a."`: a reference with an empty part names nothing (and must not reach the lookups).
        if text.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty) {
            let example = artifact == .dataset ? "`fmnist.train` (a data set and one of its splits)" : "the name of a declaration, such as `erm`"
            error("bad-reference", text.isEmpty ? "an empty string is not a reference to a \(artifact.rawValue)" : "`\(text)` is not a reference to a \(artifact.rawValue): a part of it is empty", v.span,
                  label: "expected a name", help: ["write \(example)"], path: path)
            return
        }
        switch artifact {
        case .dataset:
            let parts = text.split(separator: ".", maxSplits: 1).map(String.init)
            let name = parts[0]
            let nameSpan = SourceSpan(file: v.span.file, start: v.span.start,
                                      end: SourceLocation(line: v.span.start.line, column: v.span.start.column + name.unicodeScalars.count, offset: v.span.start.offset + name.utf8.count))
            guard let info = dataset(name, from: nameSpan, path: path) else { return }
            guard parts.count == 2 else {
                error("missing-split", "`\(name)` is a whole data set; name one of its splits", v.span, label: "which split?",
                      help: ["write one of: " + info.splits.map { "`\(name).\($0)`" }.joined(separator: ", ")], path: path)
                return
            }
            guard info.splits.contains(parts[1]) else {
                var help = ["`\(name)` has splits: " + info.splits.joined(separator: ", ")]
                if let s = EditDistance.suggestion(for: parts[1], among: info.splits) { help.insert("did you mean `\(name).\(s)`?", at: 0) }
                help.append("add a split with `split: { \(parts[1]): { from: train, fraction: 0.2 } }` in its declaration")
                error("unknown-split", "data set `\(name)` has no split `\(parts[1])`", v.span, label: "unknown split", help: help, path: path)
                return
            }
            context.inputs[slot] = StageOutputRef(stage: info.stage, output: parts[1])
            context.datasets[slot] = info
        case .datasetSplits:
            guard let info = dataset(text, from: v.span, path: path) else { return }
            for split in info.splits { context.inputs["\(slot).\(split)"] = StageOutputRef(stage: info.stage, output: split) }
            context.datasets[slot] = info
        case .groups:
            guard let g = group(text, from: v.span, path: path) else { return }
            context.inputs[slot] = StageOutputRef(stage: g.stage, output: "groups")
        default:
            resolveStageOutput(v, text, artifact, slot: slot, path: path, context: &context)
        }
    }

    /// Parses `layer[channel]` and checks it against the context's model.
    func checkUnit(_ v: Value, path: String, context: StageBindings) -> CanonicalValue? {
        let text = v.string ?? v.text
        guard let open = text.lastIndex(of: "["), text.hasSuffix("]"), let channel = Int(text[text.index(after: open)..<text.index(before: text.endIndex)]), channel >= 0 else {
            error("bad-unit", "`\(text)` is not a unit", v.span, label: "expected `layer[channel]`",
                  help: ["write the layer's name or module path and a channel index, e.g. `conv2[5]` or `layer4.1.conv2[17]`"], path: path)
            return nil
        }
        let layerName = String(text[..<open])
        guard let model = context.model else { return .map(["layer": .string(layerName), "channel": .int(channel)]) }
        guard let layer = model.layer(tapped: layerName) else {
            let names = model.flattenedLayers.flatMap { [$0.name, $0.path] } + model.tapNames
            var help = ["layers of `\(model.name)`: " + model.tapNames.joined(separator: ", ")]
            if let s = EditDistance.suggestion(for: layerName, among: Set(names)) { help.insert("did you mean `\(s)`?", at: 0) }
            error("unknown-unit", "model `\(model.name)` has no layer `\(layerName)`", v.span, label: "unknown layer", help: help, path: path)
            return nil
        }
        let channels = layer.outputShape.first ?? 0
        guard channel < channels else {
            error("unit-out-of-range", "`\(layerName)` has \(channels) channels (0...\(channels - 1)), so channel \(channel) does not exist", v.span,
                  label: "channel \(channel) ≥ \(channels)", help: ["pick a channel below \(channels)"], path: path)
            return nil
        }
        return .map(["layer": .string(layer.path), "channel": .int(channel)])
    }
}
