import AssayEngine
import AssaySupport
import Foundation

/// Copies the human-facing outputs of a run (outputs whose names carry a file extension, such
/// as `natural.png` or `table.txt`) out of the store into `results/<experiment>/<point>/<stage>/`,
/// so pictures and tables can be opened without knowing the store's layout.
enum ResultsFolder {
    static func defaultFolder(for session: ExperimentSession) -> URL {
        let file = URL(fileURLWithPath: session.file)
        let name = session.name.isEmpty ? file.deletingPathExtension().lastPathComponent : session.name
        return file.deletingLastPathComponent().appendingPathComponent("results").appendingPathComponent(name)
    }

    /// Returns how many files were written.
    @discardableResult
    static func materialize(_ result: RunResult, store: Store, into folder: URL) -> Int {
        var written = 0
        for report in result.stages {
            for (name, digest) in report.outputs where name.utf8.contains(UInt8(ascii: ".")) {
                var target = folder
                if !report.point.isEmpty { target.appendPathComponent(report.point) }
                target.appendPathComponent(report.stage)
                let destination = target.appendingPathComponent(name)
                do {
                    try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
                    let temporary = target.appendingPathComponent(".\(name).tmp")
                    try? FileManager.default.removeItem(at: temporary)
                    try FileManager.default.copyItem(at: store.objectURL(digest), to: temporary)
                    // Store objects are read-only; the user's copy is an ordinary file.
                    try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: temporary.path)
                    if rename(temporary.path, destination.path) != 0 {
                        throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: destination.path])
                    }
                    written += 1
                } catch {
                    Console.error("warning: could not copy `\(report.stage)` output `\(name)` to \(destination.path): \(SystemErrorText.message(for: error))")
                }
            }
        }
        return written
    }
}
