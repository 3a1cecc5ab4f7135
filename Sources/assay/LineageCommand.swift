import ArgumentParser
import AssayEngine
import AssayPlanner
import AssaySupport
import Foundation

/// `assay lineage DIGEST|RUN|STAGE`: where a result came from — the stage and run that made it,
/// its inputs back to the source files with their digests, the experiment file and git commit,
/// the environment each stage ran in — and every later stage that consumed it.
struct LineageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lineage",
        abstract: "Show how an artifact, a run's or a stage's results were made, from which sources, and what used them.")

    @OptionGroup var store: StoreOptions

    @Argument(help: "An artifact digest (or a unique prefix), a run id (or `last`), or a stage name.")
    var what: String

    enum OutputFormat: String, ExpressibleByArgument { case text, json }

    @Option(help: "text, or json for tools.")
    var format: OutputFormat = .text

    @Flag(help: "Print a Graphviz graph (pipe it into `dot -Tsvg`).")
    var dot = false

    func run() throws {
        let handle = try store.open()
        let lineage: Lineage = try Console.failing("cannot trace `\(what)`") {
            let index = try LineageIndex(store: handle, history: handle.openHistory())
            return try index.lineage(of: index.resolve(what))
        }
        if dot {
            print(LineageText.dot(lineage))
        } else if format == .json {
            print(LineageText.json(lineage))
        } else {
            print(LineageText.text(lineage, reference: what))
        }
    }
}

/// The three renderings of a ``Lineage``.
enum LineageText {
    static func sources(_ action: Lineage.Action) -> [SourceReference] {
        action.record.map { SourceReference.all(inParameters: $0.parameters) } ?? []
    }

    static func label(_ action: Lineage.Action) -> String { action.point.isEmpty ? action.stage : "\(action.stage) [\(action.point)]" }

    /// The stage that produced each digest, for naming inputs.
    static func producers(_ lineage: Lineage) -> [Digest: Lineage.Action] {
        var out: [Digest: Lineage.Action] = [:]
        for a in lineage.upstream + lineage.downstream { out[a.key] = a }
        return out
    }

    static func environment(_ record: ActionRecord?) -> String {
        guard let env = record?.environment, !env.isEmpty else { return "not recorded" }
        var parts: [String] = []
        if let v = env["assay-version"] { parts.append("assay \(v)" + (env["assay-commit"].map { " (\($0.prefix(10)))" } ?? "")) }
        if let b = env["blas"] { parts.append(b + (env["blas-core"].map { " [\($0)]" } ?? "")) }
        if let c = env["cpu"] { parts.append(c) }
        if let i = env["instruction-set"] { parts.append(i) }
        if let t = env["threads"] { parts.append("\(t) thread\(t == "1" ? "" : "s")") }
        return parts.joined(separator: ", ")
    }

    static func text(_ lineage: Lineage, reference: String) -> String {
        let byKey = producers(lineage)
        var producerOf: [Digest: Lineage.Action] = [:]
        for a in lineage.upstream + lineage.downstream { for d in a.outputs.values { producerOf[d] = a } }
        func artifact(_ d: Digest) -> String {
            guard let a = producerOf[d], let name = a.outputs.first(where: { $0.value == d })?.key else { return d.short }
            return "\(d.short) (`\(name)` of `\(label(a))`)"
        }
        var lines = ["lineage of `\(reference)`: " + lineage.subjects.map(artifact).joined(separator: ", ")]
        if let run = lineage.run {
            lines.append("experiment: \(run.experimentPath) (sha256 \(run.experimentDigest.prefix(12)))" + (run.gitCommit.map { ", git \($0.prefix(12))" } ?? ", not in a git repository"))
            lines.append("produced in run \(run.id)")
        }
        func describe(_ a: Lineage.Action, into lines: inout [String]) {
            let op = a.record.map { "\($0.operatorName) v\($0.operatorVersion)" } ?? "record collected"
            lines.append("  \(label(a))  \(op)  key \(a.key.short)  \(a.executedInRun ? "executed" : "first cached") in run \(a.runID)")
            for s in sources(a) {
                lines.append("    source \(s.parameter): \(s.path)  sha256 \(s.digest.short)")
            }
            for i in a.inputs {
                let from = i.producer.flatMap { byKey[$0] }.map { "`\(label($0))`" } ?? "outside this store's history"
                lines.append("    in  \(i.slot) ← \(i.digest.short) from \(from)")
            }
            for (name, d) in a.outputs.sorted(by: { $0.key < $1.key }) { lines.append("    out \(name) → \(d.short)") }
            lines.append("    environment: \(environment(a.record))")
        }
        lines.append("")
        lines.append("made by (\(lineage.upstream.count) stage\(lineage.upstream.count == 1 ? "" : "s"), sources first):")
        for a in lineage.upstream { describe(a, into: &lines) }
        lines.append("")
        if lineage.downstream.isEmpty {
            lines.append("used by: no later stage")
        } else {
            lines.append("used by (\(lineage.downstream.count) later stage\(lineage.downstream.count == 1 ? "" : "s")):")
            for a in lineage.downstream { describe(a, into: &lines) }
        }
        return lines.joined(separator: "\n")
    }

    static func json(_ lineage: Lineage) -> String {
        func action(_ a: Lineage.Action) -> [String: Any] {
            var out: [String: Any] = [
                "stage": a.stage, "point": a.point, "key": a.key.hex, "run": a.runID, "executed-in-run": a.executedInRun,
                "outputs": a.outputs.mapValues(\.hex),
                "inputs": a.inputs.map { i -> [String: Any] in
                    var input: [String: Any] = ["slot": i.slot, "digest": i.digest.hex]
                    if let p = i.producer { input["producer"] = p.hex }
                    return input
                },
                "sources": sources(a).map { ["parameter": $0.parameter, "path": $0.path, "digest": $0.digest.hex] },
            ]
            if let r = a.record {
                out["operator"] = r.operatorName
                out["version"] = r.operatorVersion
                out["parameters"] = String(decoding: r.parameters, as: UTF8.self)
                out["environment"] = r.environment
                out["duration"] = r.duration
            }
            return out
        }
        var object: [String: Any] = [
            "subjects": lineage.subjects.map(\.hex),
            "upstream": lineage.upstream.map(action),
            "downstream": lineage.downstream.map(action),
        ]
        if let run = lineage.run {
            var r: [String: Any] = ["id": run.id, "experiment": run.experimentPath, "experiment-digest": run.experimentDigest]
            if let git = run.gitCommit { r["git-commit"] = git }
            object["run"] = r
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// Stages are boxes, artifacts ellipses, source files notes; subjects are filled.
    static func dot(_ lineage: Lineage) -> String {
        // Graphviz strings: backslashes and quotes escaped, line breaks as `\n`.
        func quoted(_ s: String) -> String {
            let escaped = s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return "\"" + escaped.replacingOccurrences(of: "\n", with: "\\n") + "\""
        }
        let subjects = Set(lineage.subjects)
        var lines = ["digraph lineage {", "  rankdir=LR;", "  node [fontname=\"Helvetica\", fontsize=10];"]
        var artifacts = Set<Digest>()
        func artifactNode(_ d: Digest) {
            guard artifacts.insert(d).inserted else { return }
            let style = subjects.contains(d) ? ", style=filled, fillcolor=\"#ffe08a\"" : ""
            lines.append("  \(quoted("a:" + d.hex)) [shape=ellipse, label=\(quoted(d.short))\(style)];")
        }
        for a in lineage.upstream + lineage.downstream {
            let op = a.record?.operatorName ?? "?"
            lines.append("  \(quoted("s:" + a.key.hex)) [shape=box, label=\(quoted("\(label(a))\n\(op)\nkey \(a.key.short)"))];")
            for s in sources(a) {
                lines.append("  \(quoted("f:" + s.digest.hex)) [shape=note, label=\(quoted("\(s.path)\nsha256 \(s.digest.short)"))];")
                lines.append("  \(quoted("f:" + s.digest.hex)) -> \(quoted("s:" + a.key.hex)) [label=\(quoted(s.parameter))];")
            }
            for i in a.inputs {
                artifactNode(i.digest)
                lines.append("  \(quoted("a:" + i.digest.hex)) -> \(quoted("s:" + a.key.hex)) [label=\(quoted(i.slot))];")
            }
            for (name, d) in a.outputs.sorted(by: { $0.key < $1.key }) {
                artifactNode(d)
                lines.append("  \(quoted("s:" + a.key.hex)) -> \(quoted("a:" + d.hex)) [label=\(quoted(name))];")
            }
        }
        lines.append("}")
        return lines.joined(separator: "\n")
    }
}
