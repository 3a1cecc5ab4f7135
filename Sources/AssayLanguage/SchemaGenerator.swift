import AssaySupport

/// Generates the JSON Schema (draft-07, the draft yaml-language-server supports best) of experiment files from the operator registry and the layer catalogue.
///
/// Editors' YAML language servers use it for completion and hover docs. It is
/// looser than the checker (it cannot know which names are declared, or
/// shapes), never stricter: every file the checker accepts validates.
public enum SchemaGenerator {
    /// The schema as pretty-printed JSON with sorted keys and a final newline.
    public static func schema(registry: OperatorRegistry = .standard) -> String {
        pretty(document(registry: registry)) + "\n"
    }

    static let parameterReference: CanonicalValue = ["type": "string", "pattern": "^\\$[A-Za-z_][A-Za-z0-9_-]*$"]

    static func document(registry: OperatorRegistry) -> CanonicalValue {
        var defs: [String: CanonicalValue] = [:]
        var stageAlternatives: [CanonicalValue] = []
        for op in registry.stageOperators {
            defs["operator-\(op.name)"] = record(op.parameters, doc: op.doc)
            var body: CanonicalValue = ["$ref": .string("#/definitions/operator-\(op.name)")]
            if let shorthand = op.shorthand, let p = op.parameter(shorthand) {
                body = ["anyOf": [body, type(p.type)]]
            }
            stageAlternatives.append([
                "type": "object",
                "description": .string(op.doc),
                "required": [.string(op.name)],
                "properties": .map([op.name: body, "resources": ["$ref": "#/definitions/resources"]]),
                "additionalProperties": false,
            ])
        }
        defs["resources"] = record(registry.resources, doc: "Resources a stage asks for.")
        defs["stage"] = ["oneOf": .list(stageAlternatives)]
        defs["layer"] = layerSchema()
        var datasetProperties: [String: CanonicalValue] = [
            "from": ["type": "string", "description": "Derive from another data set."],
            "label": ["type": "object", "description": "binary: {positive: [...]}, subset: [...], or relabel: {old: new}."],
            "attribute": ["type": "object", "description": "An injected spurious attribute: {tint|border|patch|texture: {size, correlation}, name}."],
            "split": ["type": "object", "description": "New splits: {NAME: {from: SPLIT, size: N | fraction: F}, seed: S}."],
            "seed": ["anyOf": [["type": "integer"], parameterReference]],
        ]
        for source in EditorSchema.datasetSources {
            guard let op = source.operatorName, let sig = registry.signature(op) else { continue }
            let key = source.field
            datasetProperties[key] = ["anyOf": [record(sig.parameters, doc: sig.doc), ["type": "null"]]]
        }
        defs["dataset"] = ["type": "object", "properties": .map(datasetProperties), "additionalProperties": false]
        var builtins: [CanonicalValue] = []
        for arch in BuiltinArchitecture.allCases {
            builtins.append([
                "type": "object", "description": .string(arch.doc), "required": [.string(arch.rawValue)],
                "properties": .map([arch.rawValue: ["anyOf": [record(ModelChecker.builtinArguments(for: arch), doc: arch.doc), ["type": "null"]]]]),
                "additionalProperties": false,
            ])
        }
        defs["model"] = ["anyOf": .list([
            ["type": "array", "items": ["$ref": "#/definitions/layer"]],
            ["type": "object", "required": ["layers"], "properties": [
                "layers": ["type": "array", "items": ["$ref": "#/definitions/layer"]],
                "input": ["type": "array", "items": ["type": "integer"]],
                "weights": ["type": "string"],
            ], "additionalProperties": false],
        ] + builtins)]
        defs["parameter"] = ["anyOf": [
            ["type": ["string", "number", "boolean", "array"]],
            ["type": "object", "properties": [
                "type": ["enum": .list(ParameterKind.allCases.map { .string($0.rawValue) })],
                "default": [:], "sweep": ["type": "array"], "min": ["type": "number"], "max": ["type": "number"], "doc": ["type": "string"],
                "role": ["enum": ["seed"], "description": "`seed`: reports aggregate over this parameter's values (mean ± sd, n) instead of plotting against them"],
            ], "additionalProperties": false],
        ]]
        func section(_ ref: String, _ doc: String) -> CanonicalValue {
            ["type": ["object", "null"], "description": .string(doc), "additionalProperties": ["$ref": .string("#/definitions/\(ref)")]]
        }
        defs["groups"] = record(registry.declarations["groups"]!, doc: "A group split.")
        defs["attack"] = record(registry.declarations["attack"]!, doc: "An attack objective.")
        defs["segmentation-target"] = record(registry.declarations["segmentation-target"]!, doc: "A segmentation target.")
        return [
            "$schema": "http://json-schema.org/draft-07/schema#",
            "$id": "https://assay.dev/schema/assay-1.json",
            "title": "Assay experiment (language version 1)",
            "type": "object",
            // `assay: 1` is required of experiment files but not of included fragments; the checker enforces it.
            "properties": .map([
                "assay": ["const": 1, "description": "Language version."],
                "name": ["type": "string"],
                "description": ["type": "string"],
                "include": ["anyOf": [["type": "string"], ["type": "array", "items": ["type": "string"]]], "description": "Files whose declarations are shared; this file's entries override theirs by name."],
                "sweep": ["enum": ["grid", "zip"], "description": "How swept parameters combine."],
                "params": ["type": ["object", "null"], "additionalProperties": ["$ref": "#/definitions/parameter"]],
                "datasets": section("dataset", "Data sets: a source, optional split, label derivation and injected attribute."),
                "groups": section("groups", "Group splits over label × attributes."),
                "models": section("model", "Layer lists or built-in architectures."),
                "attacks": section("attack", "Interpretation-manipulation attacks."),
                "segmentation": section("segmentation-target", "Segmentation targets."),
                "stages": section("stage", "The computations, one operator each."),
                "executor": record(registry.executor, doc: "Where stages run."),
                "resources": ["$ref": "#/definitions/resources"],
            ]),
            "additionalProperties": false,
            "definitions": .map(defs),
        ]
    }

    static func record(_ params: [ParameterSchema], doc: String) -> CanonicalValue {
        var properties: [String: CanonicalValue] = [:]
        for p in params {
            var t = type(p.type)
            if case .map(var m) = t {
                m["description"] = .string(p.doc)
                if let d = p.defaultValue { m["default"] = d }
                t = .map(m)
            }
            properties[p.name] = t
        }
        return [
            "type": "object", "description": .string(doc), "properties": .map(properties), "additionalProperties": false,
            "required": .list(params.filter(\.required).map { .string($0.name) }),
        ]
    }

    static func type(_ t: ParameterType, field: ParameterSchema? = nil) -> CanonicalValue {
        switch t {
        case .int: return ["anyOf": [["type": "integer"], parameterReference]]
        case .double: return ["anyOf": [["type": "number"], parameterReference]]
        case .bool: return ["anyOf": [["type": "boolean"], parameterReference]]
        case .string: return ["type": ["string", "number", "boolean"]]
        case .path, .declaration: return ["type": "string"]
        case .unit: return ["type": "string", "pattern": "^.+\\[([0-9]+|\\$\\{[^}]+\\})\\]$|^\\$"]
        case .memory, .duration: return ["type": ["string", "integer"]]
        case .enumeration(let values): return ["anyOf": [["enum": .list(values.map { .string($0) })], parameterReference]]
        case .list(let element): return ["anyOf": [type(element), ["type": "array", "items": type(element)]]]
        case .record(let fields): return fields.isEmpty ? ["type": "object"] : record(fields, doc: "")
        case .variant(let alternatives):
            var options: [CanonicalValue] = [["enum": .list(alternatives.keys.sorted().map { .string($0) })]]
            for key in alternatives.keys.sorted() {
                options.append(["type": "object", "required": [.string(key)], "properties": .map([key: ["anyOf": [type(alternatives[key]!), ["type": "null"]]]]), "additionalProperties": false])
            }
            return ["anyOf": .list(options)]
        case .reference(_, let many):
            return many ? ["anyOf": [["type": "string"], ["type": "array", "items": ["type": "string"]]]] : ["type": "string"]
        }
    }

    static func layerSchema() -> CanonicalValue {
        let kinds = LayerKind.allCases.map(\.rawValue).joined(separator: "|")
        var options: [CanonicalValue] = [["type": "string", "pattern": .string("^(\(kinds))( .+)?$")]]
        for kind in LayerKind.allCases {
            let args = LayerArguments.arguments(of: kind)
            let params = args.map { ParameterSchema($0.name, $0.type, default: $0.defaultValue, required: $0.required, min: $0.min, doc: $0.doc) }
            var body: [CanonicalValue] = [record(params, doc: kind.rawValue), ["type": "null"]]
            if let first = params.first { body.append(type(first.type)) }
            options.append(["type": "object", "required": [.string(kind.rawValue)], "properties": .map([kind.rawValue: ["anyOf": .list(body)]]), "additionalProperties": false])
        }
        // A named layer: `name: kind` or `name: { kind: args }`.
        options.append(["type": "object", "minProperties": 1, "maxProperties": 1])
        return ["anyOf": .list(options)]
    }

    /// Pretty JSON: sorted keys, two-space indentation, canonical scalars.
    public static func pretty(_ value: CanonicalValue) -> String { value.prettyString }
}
