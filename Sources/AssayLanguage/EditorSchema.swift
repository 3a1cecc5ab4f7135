import AssaySupport

/// The registry seen from a place in an experiment file: which fields a mapping at a key path
/// allows, and the schema of the field a key names. Editors (the language server) use it for
/// completion, hover and the symbol index; the checker keeps its own walk.
///
/// A key path starts at a section's entry body: `section` is `stages`, `keys` are the keys below the
/// entry's name (`["train", "data"]` for `stages.erm.train.data`). List items are skipped.
public enum EditorSchema {
    /// Data set fields that choose where examples come from, and the operator each one runs (the
    /// checker and the JSON Schema read this list; each operator's checks are in its kind's file).
    public static let datasetSources: [(field: String, operatorName: String?)] = [
        ("fashion-mnist", "load-fashion-mnist"), ("image-folder", "load-image-folder"), ("camvid", "load-camvid"), ("celeba", "load-celeba"),
        ("synthetic", "load-synthetic"), ("compose", "compose-scenes"), ("from", nil),
    ]

    /// The fields allowed directly in an entry of a section (before any key), or nil when the section
    /// has no fixed fields (`params:`, `models:`).
    public static func entryFields(section: String, registry: OperatorRegistry = .standard) -> [ParameterSchema]? {
        switch section {
        case "stages":
            return registry.stageOperators.map { ParameterSchema($0.name, .record($0.parameters), doc: $0.doc) }
                + [ParameterSchema("resources", .record(registry.resources), doc: "Resources this stage needs when it runs on a cluster.")]
        case "datasets":
            var fields: [ParameterSchema] = datasetSources.map { source in
                guard let op = source.operatorName, let signature = registry.signature(op) else {
                    return ParameterSchema("from", .string, doc: "Another data set this one is derived from (its name under `datasets:`).")
                }
                return ParameterSchema(source.field, .record(signature.parameters), doc: signature.doc)
            }
            fields += [
                ParameterSchema("split", .record([]), doc: "New splits carved out of existing ones: `{ val: { from: train, size: 1000 } }`."),
                ParameterSchema("label", .record([]), doc: "Relabelling: `binary: { positive: [...] }` or a class map."),
                ParameterSchema("attribute", .record([]), doc: "An injected spurious attribute, e.g. `border: { size: 2, correlation: 0.95 }`."),
                ParameterSchema("seed", .int, default: 0, min: 0, doc: "Seed of the split and attribute choices."),
            ]
            return fields
        case "groups": return registry.declarations["groups"]
        case "attacks": return registry.declarations["attack"]
        case "segmentation": return registry.declarations["segmentation-target"]
        default: return nil
        }
    }

    /// The schema of the field that the last of `keys` names, or nil when the path leaves the schema.
    public static func field(section: String, keys: [String], registry: OperatorRegistry = .standard) -> ParameterSchema? {
        guard let fields = entryFields(section: section, registry: registry), !keys.isEmpty else { return nil }
        var container = ParameterType.record(fields)
        var current: ParameterSchema?
        for key in keys {
            switch container {
            case .record(let fields), .list(.record(let fields)):
                current = fields.first { $0.name == key }
            case .variant(let alternatives):
                // A variant's key names an alternative, documented by the field holding it.
                current = alternatives[key].map { ParameterSchema(key, $0, doc: current?.doc ?? "") }
            default:
                return nil
            }
            guard let found = current else { return nil }
            container = found.type
        }
        return current
    }

    /// The fields a mapping at `keys` allows: the entry's fields when `keys` is empty.
    public static func fields(section: String, keys: [String], registry: OperatorRegistry = .standard) -> [ParameterSchema]? {
        if keys.isEmpty { return entryFields(section: section, registry: registry) }
        guard let type = field(section: section, keys: keys, registry: registry)?.type else { return nil }
        switch type {
        case .record(let fields): return fields
        case .variant(let alternatives):
            return alternatives.keys.sorted().map { ParameterSchema($0, alternatives[$0]!, doc: "") }
        case .list(.record(let fields)): return fields
        default: return nil
        }
    }
}
