import AssaySupport
import Foundation

extension Planner {
    /// The machine-local facts of a stage rebuilt from its canonical parameters, as `node(for:)`
    /// would set them for an experiment in `experimentDirectory`: where the files it read lie
    /// (the `sources` the planner hashed, resolved as the checker resolves paths).
    /// Used to re-execute a stage known only from its action record (`assay verify --reexecute`).
    public func locals(parameters: [UInt8], experimentDirectory: String) -> [String: String] {
        var locals = ["experiment-dir": experimentDirectory]
        for source in SourceReference.all(inParameters: parameters) {
            locals["path:" + source.parameter] = absolute(source.path, relativeTo: experimentDirectory)
        }
        return locals
    }
}
