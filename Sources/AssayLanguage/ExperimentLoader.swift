import AssaySupport
import AssaySyntax
import Foundation

/// One named entry of a section (`datasets.fmnist`), remembering the file it came from.
struct SectionEntry {
    var name: String
    var keySpan: SourceSpan
    var node: YAMLNode
}

/// The experiment's sections after `include:` is applied.
///
/// Override rules: the entries of included files are read first, in the order
/// of `include:`; an entry of the including file replaces an included entry
/// of the same name *as a whole* (no deep merge). Two included files defining
/// the same name is an error unless the including file defines it too.
/// Top-level settings (`name`, `description`, `executor`, `resources`,
/// `sweep`) are taken from the including file only.
struct LoadedExperiment {
    static let sectionNames = ["params", "datasets", "groups", "models", "attacks", "segmentation", "stages"]
    static let settingNames = ["assay", "name", "description", "include", "executor", "resources", "sweep"]

    var sections: [String: [SectionEntry]] = [:]
    var settings: [String: YAMLPair] = [:]
    var sources: [SourceFile] = []
    /// The files read from disk (not editor buffers), for caches of the check.
    var inputs = CheckInputs()
    var diagnostics: [Diagnostic] = []
    var rootPath: String = ""

    func entries(_ section: String) -> [SectionEntry] { sections[section] ?? [] }
}

enum ExperimentLoader {
    /// Reads, parses and merges a file and its includes. Never throws: problems are diagnostics.
    /// `overlay` holds unsaved editor buffers by canonical path (see ``canonicalPath(_:)``); they are read
    /// instead of the files on disk, for the root file and its includes alike.
    static func load(path: String, limits: YAMLParseLimits = .standard, overlay: [String: SourceFile] = [:]) -> LoadedExperiment {
        var result = LoadedExperiment()
        result.rootPath = path
        guard let file = read(path, into: &result, at: nil, overlay: overlay) else { return result }
        var stack = [canonicalPath(path)]
        loadFile(file, isRoot: true, stack: &stack, into: &result, limits: limits, overlay: overlay)
        return result
    }

    /// Checks in-memory text (tests, benchmarks, the property test).
    static func load(source: SourceFile, limits: YAMLParseLimits = .standard) -> LoadedExperiment {
        var result = LoadedExperiment()
        result.rootPath = source.path
        var stack = [canonicalPath(source.path)]
        loadFile(source, isRoot: true, stack: &stack, into: &result, limits: limits)
        return result
    }

    static func canonicalPath(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }

    private static func read(_ path: String, into result: inout LoadedExperiment, at span: SourceSpan?, overlay: [String: SourceFile] = [:]) -> SourceFile? {
        if !overlay.isEmpty, let buffer = overlay[canonicalPath(path)] {
            return SourceFile(path: path, bytes: buffer.bytes)
        }
        do {
            let identity = FileIdentity.of(path: path)
            let file = try SourceFile.read(path: path)
            result.inputs.append(.text(path: path, identity: identity, digest: Digest.of(file.bytes)))
            return file
        } catch {
            let exists = FileManager.default.fileExists(atPath: path)
            result.diagnostics.append(.error(
                span == nil ? "file-not-found" : "include-not-found",
                exists ? "cannot read `\(path)`" : "file `\(path)` does not exist", at: span,
                help: [span == nil ? "check the path given to `assay check`" : "paths in `include:` are relative to the including file"],
                path: span == nil ? nil : "include"))
            return nil
        }
    }

    private static func loadFile(_ file: SourceFile, isRoot: Bool, stack: inout [String], into result: inout LoadedExperiment, limits: YAMLParseLimits,
                                 overlay: [String: SourceFile] = [:]) {
        result.sources.append(file)
        let parsed = YAMLParser.parse(file, limits: limits)
        result.diagnostics += parsed.diagnostics
        guard let root = parsed.root else { return }
        guard let pairs = root.pairs else {
            result.diagnostics.append(.error(
                "expected-mapping", "an experiment file must be a mapping of sections, but this is a \(root.kindName)", at: root.span,
                help: ["start the file with `assay: 1` and sections such as `datasets:` and `stages:`"]))
            return
        }
        var own: [String: [SectionEntry]] = [:]
        var includes: [(String, SourceSpan)] = []
        for pair in pairs {
            let key = pair.key.scalar ?? ""
            if LoadedExperiment.sectionNames.contains(key) {
                if pair.value.isNull { continue }
                guard let entries = pair.value.pairs else {
                    result.diagnostics.append(.error("expected-mapping", "`\(key):` must be a mapping of names to definitions, not a \(pair.value.kindName)",
                                                     at: pair.value.span, path: key))
                    continue
                }
                own[key] = entries.map { SectionEntry(name: $0.key.scalar ?? "", keySpan: $0.key.span, node: $0.value) }
            } else if LoadedExperiment.settingNames.contains(key) {
                if key == "include" {
                    let items = pair.value.items ?? [pair.value]
                    for item in items {
                        if let s = item.scalar, !s.isEmpty { includes.append((s, item.span)) } else {
                            result.diagnostics.append(.error("wrong-type", "`include:` lists file paths; this is a \(item.kindName)", at: item.span, path: "include"))
                        }
                    }
                } else if isRoot {
                    result.settings[key] = pair
                } else if key == "assay" {
                    checkVersion(pair, into: &result)
                }
            } else {
                var help = ["the top-level keys are: " + (LoadedExperiment.settingNames + LoadedExperiment.sectionNames).joined(separator: ", ")]
                if let s = EditDistance.suggestion(for: key, among: LoadedExperiment.settingNames + LoadedExperiment.sectionNames) {
                    help.insert("did you mean `\(s)`?", at: 0)
                }
                result.diagnostics.append(.error("unknown-field", "unknown top-level key `\(key)`", at: pair.key.span, label: "not an Assay section", help: help, path: key))
            }
        }
        if isRoot {
            if let version = result.settings["assay"] { checkVersion(version, into: &result) } else {
                result.diagnostics.append(.error("missing-version", "the file does not say which Assay language version it uses", at: pairs.first?.key.span ?? root.span,
                                                 help: ["add `assay: 1` as the first line"]))
            }
        }
        // Included entries first; conflicts between includes are errors unless this file overrides them.
        var included: [String: [SectionEntry]] = [:]
        var origin: [String: SourceSpan] = [:]
        let directory = (file.path as NSString).deletingLastPathComponent
        for (relative, span) in includes {
            // Relative to the including file, displayed the way the including file was named.
            let path = relative.hasPrefix("/") ? relative : ((directory as NSString).appendingPathComponent(relative) as NSString).standardizingPath
            let canonical = canonicalPath(path)
            if stack.contains(canonical) {
                result.diagnostics.append(.error("include-cycle", "`\(relative)` includes itself (through \(stack.map { URL(fileURLWithPath: $0).lastPathComponent }.joined(separator: " → ")))",
                                                 at: span, help: ["remove one of the includes in the cycle"], path: "include"))
                continue
            }
            guard let child = read(path, into: &result, at: span, overlay: overlay) else { continue }
            var sub = LoadedExperiment()
            stack.append(canonical)
            loadFile(child, isRoot: false, stack: &stack, into: &sub, limits: limits, overlay: overlay)
            stack.removeLast()
            result.sources += sub.sources
            result.inputs.append(contentsOf: sub.inputs)
            result.diagnostics += sub.diagnostics
            for (section, entries) in sub.sections {
                for entry in entries {
                    let key = "\(section).\(entry.name)"
                    if let first = origin[key], own[section]?.contains(where: { $0.name == entry.name }) != true {
                        result.diagnostics.append(.error("include-conflict", "`\(entry.name)` is defined under `\(section):` by two included files", at: entry.keySpan,
                                                         notes: [DiagnosticNote("also defined here", at: first)],
                                                         help: ["define `\(entry.name)` in the including file to choose, or rename one"], path: key))
                        continue
                    }
                    origin[key] = entry.keySpan
                    included[section, default: []].removeAll { $0.name == entry.name }
                    included[section, default: []].append(entry)
                }
            }
        }
        for section in LoadedExperiment.sectionNames {
            let mine = own[section] ?? []
            let overridden = Set(mine.map(\.name))
            let merged = (included[section] ?? []).filter { !overridden.contains($0.name) } + mine
            if !merged.isEmpty { result.sections[section] = merged }
        }
    }

    /// Paths shown in diagnostics: relative to the working directory when below it.
    static func displayPath(_ path: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath + "/"
        let standard = URL(fileURLWithPath: path).standardizedFileURL.path
        return standard.hasPrefix(cwd) ? String(standard.dropFirst(cwd.count)) : standard
    }

    private static func checkVersion(_ pair: YAMLPair, into result: inout LoadedExperiment) {
        if pair.value.scalar != "1" {
            result.diagnostics.append(.error("unsupported-version", "Assay language version `\(pair.value.description)` is not supported", at: pair.value.span,
                                             label: "expected 1", help: ["write `assay: 1`"], path: "assay"))
        }
    }
}
