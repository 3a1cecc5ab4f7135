// assay-bench: Assay's benchmarks, one JSON object per measurement on standard output.
//
//   swift run -c release assay-bench            # every suite
//   swift run -c release assay-bench tensor     # one or more suites by name
//
// Ratios that matter (e.g. conv efficiency ÷ sgemm) are computed within one run, because
// this machine is shared and noisy.
import Foundation

let suites: [(name: String, run: (_ report: (_ name: String, _ value: Double, _ unit: String) -> Void) -> Void)] = [
    ("language", { LanguageBenchmarks.run(report: $0) }),
    ("tensor", { TensorBenchmarks.run(report: $0) }),
    ("engine", { EngineBenchmarks.run(report: $0) }),
    ("data", { DataBenchmarks.run(report: $0) }),
    ("learn", { LearnBenchmarks.run(report: $0) }),
]

// The child process of the image-folder load benchmark (its peak memory is measured alone).
if CommandLine.arguments.count == 5, CommandLine.arguments[1] == ImageLoadBenchmarks.childFlag {
    exit(ImageLoadBenchmarks.child(root: CommandLine.arguments[2], phase: CommandLine.arguments[3], output: CommandLine.arguments[4]))
}

let requested = Set(CommandLine.arguments.dropFirst())
let unknown = requested.subtracting(suites.map(\.name))
if !unknown.isEmpty {
    FileHandle.standardError.write(Data("unknown suite(s) \(unknown.sorted().joined(separator: ", ")); suites: \(suites.map(\.name).joined(separator: ", "))\n".utf8))
    exit(2)
}
for suite in suites where requested.isEmpty || requested.contains(suite.name) {
    suite.run { name, value, unit in
        let v = value.isFinite ? String(value) : "null"
        print("{\"suite\": \"\(suite.name)\", \"name\": \"\(name)\", \"value\": \(v), \"unit\": \"\(unit)\"}")
        fflush(stdout)
    }
}
