import Foundation

/// The last lines of a job's output file, to show with a failure.
public enum OutputTail {
    /// At most `lines` last lines of the file, reading at most its last
    /// `maxBytes`; nil when the file cannot be read (the job never started,
    /// or the shared filesystem has not shown it yet).
    public static func read(path: String, lines: Int = 20, maxBytes: Int = 16_384) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let size = try? handle.seekToEnd() else { return nil }
        let start = size > UInt64(maxBytes) ? size - UInt64(maxBytes) : 0
        guard (try? handle.seek(toOffset: start)) != nil, let data = try? handle.readToEnd() else { return nil }
        return lastLines(of: String(decoding: data, as: UTF8.self), count: lines, startsMidFile: start > 0)
    }

    static func lastLines(of text: String, count: Int, startsMidFile: Bool) -> String {
        var all = text.split(separator: "\n", omittingEmptySubsequences: false)
        if all.last == "" { all.removeLast() }
        // A read that starts mid-file starts mid-line: drop the fragment.
        if startsMidFile, all.count > 1 { all.removeFirst() }
        return all.suffix(count).joined(separator: "\n")
    }
}
