import AssaySupport
import Foundation

extension Planner {
    /// The machine-local facts of a stage rebuilt from its canonical parameters, as `node(for:)`
    /// would set them for an experiment in `experimentDirectory`: where its path parameters lie.
    /// Used to re-execute a stage known only from its action record (`assay verify --reexecute`).
    public func locals(operatorName: String, parameters: [UInt8], experimentDirectory: String) -> [String: String] {
        var locals = ["experiment-dir": experimentDirectory]
        guard let signature = registry.signature(operatorName), let value = try? CanonicalValue(json: parameters) else { return locals }
        var found: [(path: String, value: String)] = []
        collectPaths(in: value, fields: signature.parameters, prefix: "", into: &found)
        for (path, written) in found { locals["path:" + path] = absolute(written, relativeTo: experimentDirectory) }
        return locals
    }
}
