import AssaySupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Which process owns a temporary file, written into its name so that a later run can tell a
/// leftover of a dead process from the work of a live one: `<pid>@<start>@<host>`.
///
/// The pid alone is not enough — pids are reused — so the process's start time (clock ticks
/// after boot, field 22 of `/proc/PID/stat`) goes with it; and a store on a shared filesystem
/// is used by processes on other machines, whose pids mean nothing here, so the host goes
/// with it too (the first 8 hex digits of the SHA-256 of its name). Only files of this host
/// are ever judged.
struct ProcessOwner: Equatable {
    var pid: Int32
    /// 0 where `/proc` is not available (then only the pid is checked).
    var startTicks: UInt64
    var host: String

    static let current = ProcessOwner(pid: getpid(), startTicks: startTicks(of: getpid()) ?? 0, host: hostTag)

    static let hostTag: String = {
        var name = [CChar](repeating: 0, count: 256)
        gethostname(&name, name.count - 1)
        return String(Digest.of(String(cString: name)).hex.prefix(8))
    }()

    var token: String { "\(pid)@\(startTicks)@\(host)" }

    init(pid: Int32, startTicks: UInt64, host: String) {
        self.pid = pid
        self.startTicks = startTicks
        self.host = host
    }

    /// Reads the owner from a name made by `FileSystem.uniqueName` (`prefix.<token>.n.random`);
    /// nil for names without one (written by an older version: left to `gc`).
    init?(fileName: String) {
        let parts = fileName.split(separator: ".")
        guard parts.count >= 4 else { return nil }
        let fields = parts[parts.count - 3].split(separator: "@")
        guard fields.count == 3, let pid = Int32(fields[0]), let start = UInt64(fields[1]) else { return nil }
        self.init(pid: pid, startTicks: start, host: String(fields[2]))
    }

    /// Whether the owner certainly no longer runs: it is a process of this host and either no
    /// process has its pid, or the one that does started at another time (a reused pid).
    var isGone: Bool {
        guard host == ProcessOwner.hostTag else { return false }
        if kill(pid, 0) != 0 && errno == ESRCH { return true }
        guard startTicks != 0, let now = ProcessOwner.startTicks(of: pid) else { return false }
        return now != startTicks
    }

    /// Field 22 of `/proc/PID/stat`: the process's start time in clock ticks after boot.
    static func startTicks(of pid: Int32) -> UInt64? {
        guard let bytes = try? FileSystem.readFile("/proc/\(pid)/stat") else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        // The command name (field 2) is in parentheses and may hold spaces: count after it.
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state), so field 22 is fields[19].
        guard fields.count > 19 else { return nil }
        return UInt64(fields[19])
    }
}

extension Store {
    /// Removes what processes of this host that no longer exist left in `tmp/`: temporary files
    /// (`write.*`, downloads, imports) and stage work directories. A live process's files, and
    /// files of other machines sharing the store, are never touched. Returns the names removed.
    @discardableResult
    public func removeLeftoversOfDeadProcesses() -> [String] {
        var removed: [String] = []
        for name in FileSystem.contents(of: temporaryPath) {
            guard let owner = ProcessOwner(fileName: name), owner.isGone else { continue }
            FileSystem.remove(temporaryPath + "/" + name)
            removed.append(name)
        }
        return removed.sorted()
    }
}
