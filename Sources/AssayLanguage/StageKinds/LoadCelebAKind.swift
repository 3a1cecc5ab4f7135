import AssaySupport
import Foundation

extension StageKind {
    /// `celeba:` data sets: the signature of their loader and its checks (the files it reads are the three CelebA listings, not all of `root`).
    public static let loadCelebA = StageKind(signature: OperatorSignature(
        name: "load-celeba", version: 2,
        doc: "CelebA from its own files: `img_align_celeba/`, `list_attr_celeba.txt` and `list_eval_partition.txt`. The label is the `target` attribute (classes `not-TARGET`, `TARGET`); each of `attributes` becomes a 0/1 attribute.",
        parameters: [
            ParameterSchema("root", .path(mustExist: true), required: true, doc: "Folder holding the images folder and the two listing files."),
            ParameterSchema("target", .string, required: true, doc: "The attribute that becomes the label, e.g. `Blond_Hair`."),
            ParameterSchema("attributes", .list(.string), default: [], doc: "Spurious attributes kept for groups, e.g. `[Male]`."),
            ParameterSchema("images", .string, default: .string(CelebAFormat.imageFolder), doc: "Images folder, relative to `root`."),
            ParameterSchema("attribute-file", .string, default: .string(CelebAFormat.attributeFile), doc: "Attribute listing, relative to `root`."),
            ParameterSchema("partition-file", .string, default: .string(CelebAFormat.partitionFile), doc: "Partition listing (0 train, 1 val, 2 test), relative to `root`."),
            ParameterSchema("crop", .list(.int), max: 65536, doc: "Centre crop [H, W] before resizing (the DFR recipe: [178, 178]); none if absent."),
            ParameterSchema("size", .list(.int), default: [224, 224], max: 65536, doc: "Images are resized to [H, W]."),
            ParameterSchema("channels", .int, default: 3, min: 1, max: 3, doc: "Grey (1) or RGB (3)."),
            ParameterSchema("limit", perSplitCount, doc: "Keep only the first n images of a split (CI-sized runs)."),
        ],
        outputs: [OutputSlot("train", .dataset, doc: ""), OutputSlot("val", .dataset, doc: ""), OutputSlot("test", .dataset, doc: "")],
        isImplicit: true),
        describe: { source, checker in describeCelebA(&source, checker) })

    /// The three CelebA files a `celeba:` source reads, by parameter path: what the planner hashes
    /// (the images folder and two listings, not whatever else lives in `root`).
    static func celebaFiles(_ params: CanonicalValue, _ checker: DatasetChecker) -> [String: String] {
        guard let root = params["root"]?.stringValue else { return [:] }
        let rootURL = URL(fileURLWithPath: checker.absolutePath(root), isDirectory: true)
        var files: [String: String] = [:]
        for field in ["images", "attribute-file", "partition-file"] {
            if let name = params[field]?.stringValue { files[field] = rootURL.appendingPathComponent(name).standardizedFileURL.path }
        }
        return files
    }

    /// `celeba: { root, target, attributes, ... }`: the files exist, the attribute file's header names
    /// `target` and every attribute, and the partition file is well formed (its counts give the split
    /// sizes). The attribute rows and the images are checked by the loader, which names the line.
    private static func describeCelebA(_ check: inout SourceCheck, _ checker: DatasetChecker) -> DatasetInfo? {
        let (source, params, path) = (check.body, check.parameters, check.path)
        if check.bindings.files["root"] != nil { check.bindings.files = celebaFiles(params, checker) }
        guard let root = params["root"]?.stringValue, let target = params["target"]?.stringValue else { return nil }
        let files = celebaFiles(params, checker)
        var ok = true
        for (field, isFolder) in [("images", true), ("attribute-file", false), ("partition-file", false)] {
            guard let file = files[field], let name = params[field]?.stringValue else { return nil }
            let found = checker.probe(file)
            if !found.exists || found.isDirectory != isFolder {
                let what = isFolder ? "folder `\(name)/`" : "file `\(name)`"
                checker.error("path-not-found", "`\(root)` is not a CelebA folder: it lacks the \(what)", source[field]?.span ?? source["root"]?.span ?? source.span,
                      label: isFolder ? "no such folder" : "no such file",
                      help: ["a CelebA folder holds `\(CelebAFormat.imageFolder)/`, `\(CelebAFormat.attributeFile)` and `\(CelebAFormat.partitionFile)` as distributed",
                             "name another location relative to `root:` with `\(field):`"], path: "\(path).\(source[field] == nil ? "root" : field)")
                ok = false
            }
        }
        guard ok else { return nil }
        func malformed(_ problem: CelebAFormat.Problem, field: String) {
            checker.error("bad-data-file", "\(problem.path):\(problem.line): \(problem.message)", source[field]?.span ?? source["root"]?.span ?? source.span,
                  label: "malformed \(field)", help: ["the file must be in CelebA's distributed format; re-download it or fix the line named"],
                  path: "\(path).\(source[field] == nil ? "root" : field)")
        }
        let header: CelebAFormat.AttributeHeader
        checker.willRead(files["attribute-file"]!)
        do { header = try CelebAFormat.attributeHeader(path: files["attribute-file"]!) } catch let problem as CelebAFormat.Problem {
            malformed(problem, field: "attribute-file")
            return nil
        } catch { return nil }
        let attributes = params["attributes"]?.listValue?.compactMap(\.stringValue) ?? []
        let file = params["attribute-file"]?.stringValue ?? CelebAFormat.attributeFile
        for (name, span, fieldPath) in [(target, source["target"]?.span, "target")] + attributes.enumerated().map({ i, a in (a, source["attributes"]?.items?[safe: i]?.span, "attributes[\(i)]") })
            where !header.names.contains(name) {
            var help = ["attributes of `\(file)`: " + header.names.joined(separator: ", ")]
            if let s = EditDistance.suggestion(for: name, among: header.names) { help.insert("did you mean `\(s)`?", at: 0) }
            checker.error("unknown-attribute", "`\(file)` has no attribute `\(name)`", span ?? source.span, label: "not in the attribute file", help: help, path: "\(path).\(fieldPath)")
            ok = false
        }
        for (i, name) in attributes.enumerated() where name == target || attributes.prefix(i).contains(name) {
            checker.error("duplicate-attribute", name == target ? "`\(name)` is the target; it cannot also be a spurious attribute" : "attribute `\(name)` is listed twice",
                  source["attributes"]?.items?[safe: i]?.span ?? source.span, help: ["list each spurious attribute once, without the target"], path: "\(path).attributes[\(i)]")
            ok = false
        }
        let partition: CelebAFormat.Partition
        checker.willRead(files["partition-file"]!)
        do { partition = try CelebAFormat.partition(path: files["partition-file"]!) } catch let problem as CelebAFormat.Problem {
            malformed(problem, field: "partition-file")
            return nil
        } catch { return nil }
        guard ok else { return nil }
        let counts = partition.counts
        var sizes: [String: Int] = [:]
        for (k, split) in CelebAFormat.splitNames.enumerated() {
            sizes[split] = min(counts[k], params["limit"]?[split]?.intValue ?? Int.max)
        }
        guard let channels = check.channels(checker), let size = check.pair("size", checker) else { return nil }
        if params["crop"]?.intList != nil, check.pair("crop", checker) == nil { return nil }
        return check.info(splits: CelebAFormat.splitNames, sizes: sizes, shape: [channels, size[0], size[1]], classes: ["not-\(target)", target],
                          attributes: attributes, task: .classification)
    }
}
