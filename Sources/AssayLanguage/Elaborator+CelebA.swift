import AssaySupport
import Foundation

extension Elaborator {
    /// The three CelebA files a `celeba:` source reads, by parameter path: what the planner hashes
    /// (the images folder and two listings, not whatever else lives in `root`).
    func celebaFiles(_ params: CanonicalValue) -> [String: String] {
        guard let root = params["root"]?.stringValue else { return [:] }
        let rootURL = URL(fileURLWithPath: absolutePath(root), isDirectory: true)
        var files: [String: String] = [:]
        for field in ["images", "attribute-file", "partition-file"] {
            if let name = params[field]?.stringValue { files[field] = rootURL.appendingPathComponent(name).standardizedFileURL.path }
        }
        return files
    }

    /// `celeba: { root, target, attributes, ... }`: the files exist, the attribute file's header names
    /// `target` and every attribute, and the partition file is well formed (its counts give the split
    /// sizes). The attribute rows and the images are checked by the loader, which names the line.
    func celebaInfo(_ source: Value, params: CanonicalValue, entry: SectionEntry, path: String) -> DatasetInfo? {
        guard let root = params["root"]?.stringValue, let target = params["target"]?.stringValue else { return nil }
        let files = celebaFiles(params)
        var ok = true
        for (field, isFolder) in [("images", true), ("attribute-file", false), ("partition-file", false)] {
            guard let file = files[field], let name = params[field]?.stringValue else { return nil }
            var isDirectory: ObjCBool = false
            if !FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) || isDirectory.boolValue != isFolder {
                let what = isFolder ? "folder `\(name)/`" : "file `\(name)`"
                error("path-not-found", "`\(root)` is not a CelebA folder: it lacks the \(what)", source[field]?.span ?? source["root"]?.span ?? source.span,
                      label: isFolder ? "no such folder" : "no such file",
                      help: ["a CelebA folder holds `\(CelebAFormat.imageFolder)/`, `\(CelebAFormat.attributeFile)` and `\(CelebAFormat.partitionFile)` as distributed",
                             "name another location relative to `root:` with `\(field):`"], path: "\(path).\(source[field] == nil ? "root" : field)")
                ok = false
            }
        }
        guard ok else { return nil }
        func malformed(_ problem: CelebAFormat.Problem, field: String) {
            error("bad-data-file", "\(problem.path):\(problem.line): \(problem.message)", source[field]?.span ?? source["root"]?.span ?? source.span,
                  label: "malformed \(field)", help: ["the file must be in CelebA's distributed format; re-download it or fix the line named"],
                  path: "\(path).\(source[field] == nil ? "root" : field)")
        }
        let header: CelebAFormat.AttributeHeader
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
            error("unknown-attribute", "`\(file)` has no attribute `\(name)`", span ?? source.span, label: "not in the attribute file", help: help, path: "\(path).\(fieldPath)")
            ok = false
        }
        for (i, name) in attributes.enumerated() where name == target || attributes.prefix(i).contains(name) {
            error("duplicate-attribute", name == target ? "`\(name)` is the target; it cannot also be a spurious attribute" : "attribute `\(name)` is listed twice",
                  source["attributes"]?.items?[safe: i]?.span ?? source.span, help: ["list each spurious attribute once, without the target"], path: "\(path).attributes[\(i)]")
            ok = false
        }
        let partition: CelebAFormat.Partition
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
        let channels = params["channels"]?.intValue ?? 3
        if channels == 2 {
            error("out-of-range", "`channels` must be 1 (grey) or 3 (RGB), found 2", source["channels"]?.span ?? source.span, path: "\(path).channels")
            return nil
        }
        for key in ["size", "crop"] {
            guard let pair = params[key]?.intList else { continue }
            if pair.count != 2 || pair.contains(where: { $0 < 1 }) {
                error("wrong-type", "`\(key)` must be two positive integers [H, W], found \(params[key]!.canonicalString)", source[key]?.span ?? source.span, path: "\(path).\(key)")
                return nil
            }
        }
        let size = params["size"]?.intList ?? [224, 224]
        return DatasetInfo(name: entry.name, stage: "", splits: CelebAFormat.splitNames, sizes: sizes, sampleShape: [channels, size[0], size[1]],
                           classes: ["not-\(target)", target], attributes: attributes, task: .classification, declaration: entry)
    }
}
