import Foundation

/// The one reading of a path written in an experiment: `~` and `~/…` are the user's home, a
/// relative path is relative to the experiment file's folder, and `.`/`..` parts are removed.
///
/// The checker resolves every file it declares (``StageInstance/files``) with it; the planner
/// hashes exactly those, and operators that locate a file themselves use it too.
public enum ExperimentPath {
    public static func resolve(_ written: String, relativeTo directory: String) -> String {
        var path = written
        if path == "~" || path.hasPrefix("~/") {
            path = FileManager.default.homeDirectoryForCurrentUser.path + path.dropFirst()
        }
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : URL(fileURLWithPath: directory, isDirectory: true).appendingPathComponent(path)
        return url.standardizedFileURL.path
    }
}
