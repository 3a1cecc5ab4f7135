import Foundation

/// The commit checked out where the experiment lives, if it is inside a git repository.
///
/// Read from the repository's files (`.git/HEAD`, the ref it names, `packed-refs`) rather than
/// by running `git rev-parse`: every `assay run` records it, and starting a process would cost
/// a no-op rerun more than everything else it does. Linked worktrees (`.git` a file naming the
/// git directory, `commondir` naming the shared one) are followed.
public enum GitCommit {
    public static func lookup(nearFile path: String) -> String? {
        var directory = URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent().path
        while true {
            let dotGit = directory + "/.git"
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: dotGit, isDirectory: &isDirectory) {
                let gitDirectory = isDirectory.boolValue ? dotGit : linkedGitDirectory(dotGit, base: directory)
                return gitDirectory.flatMap(head(gitDirectory:))
            }
            let parent = (directory as NSString).deletingLastPathComponent
            if parent == directory || parent.isEmpty { return nil }
            directory = parent
        }
    }

    /// `gitdir: <path>` in a worktree's `.git` file.
    private static func linkedGitDirectory(_ file: String, base: String) -> String? {
        guard let text = read(file), text.hasPrefix("gitdir:") else { return nil }
        let target = text.dropFirst("gitdir:".count).trimmingCharacters(in: .whitespaces)
        return target.hasPrefix("/") ? target : base + "/" + target
    }

    private static func head(gitDirectory: String) -> String? {
        guard let head = read(gitDirectory + "/HEAD") else { return nil }
        guard head.hasPrefix("ref:") else { return isCommit(head) ? head : nil }
        let ref = head.dropFirst("ref:".count).trimmingCharacters(in: .whitespaces)
        var common = gitDirectory
        if let relative = read(gitDirectory + "/commondir") {
            common = relative.hasPrefix("/") ? relative : gitDirectory + "/" + relative
        }
        for directory in [gitDirectory, common] {
            if let commit = read(directory + "/" + ref), isCommit(commit) { return commit }
        }
        // Refs not written loose since the last `git gc` live in packed-refs: "<hex> <ref>" lines.
        guard let packed = read(common + "/packed-refs") else { return nil }
        for line in packed.split(separator: "\n") where line.hasSuffix(" " + ref) {
            let commit = String(line.prefix { $0 != " " })
            if isCommit(commit) { return commit }
        }
        return nil
    }

    private static func read(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func isCommit(_ text: String) -> Bool {
        (text.utf8.count == 40 || text.utf8.count == 64) && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}
