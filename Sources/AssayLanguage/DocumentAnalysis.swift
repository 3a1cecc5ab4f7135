import AssaySupport
import AssaySyntax

/// An experiment read once for an editor: the checker's result and the symbol index of the same
/// text, with unsaved buffers read in place of the files on disk.
public struct DocumentAnalysis: Sendable {
    public var result: CheckResult
    public var symbols: SymbolIndex

    /// - Parameter overlay: unsaved buffers by path (any spelling; they are matched by canonical path).
    public static func analyze(path: String, overlay: [String: SourceFile] = [:], registry: OperatorRegistry = .standard) -> DocumentAnalysis {
        var buffers: [String: SourceFile] = [:]
        for (p, file) in overlay { buffers[ExperimentLoader.canonicalPath(p)] = file }
        let loaded = ExperimentLoader.load(path: path, overlay: buffers)
        let result = Checker.check(loaded, overrides: [], registry: registry)
        return DocumentAnalysis(result: result, symbols: SymbolIndexBuilder.build(loaded, registry: registry))
    }
}

extension DocumentAnalysis {
    /// The spelling under which the loader matches files: absolute, standardised, symlinks resolved.
    public static func canonicalPath(_ path: String) -> String { ExperimentLoader.canonicalPath(path) }
}
