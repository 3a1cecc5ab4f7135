import AssayEngine
import AssayLanguage
import AssaySupport
import Foundation

/// Reuse of a checked, lowered experiment while nothing the checker or the planner read has
/// changed: a no-op `assay run`, `plan` or `status` then skips parsing, checking and lowering.
///
/// *Key* (the entry's file name, `plans/<hex>` in the store): the experiment path as given and
/// absolute, the working and home folders, the `-p` overrides in order, the machine's memory
/// (the checker bounds stages by it) and the tool — its version and the identity of its
/// executable (device, inode, size, mtime), so a rebuilt binary never reuses an older check.
///
/// *Validation* of an entry found: every ``CheckInput`` the check recorded is looked at again —
/// the experiment and its includes by `stat`, then by content digest when the stat differs or is
/// racy (an editor's save of unchanged text keeps the entry); a probed path must exist as it did;
/// a header the checker read must have the same identity and not be racy (else the check reruns:
/// its messages may change). Then every source file the planner hashed is asked of
/// ``SourceDigests`` again (its usual stat-trusting memo), and must give the digest the plan has.
/// An entry is written only for a clean check (no diagnostics: warnings are printed each time), is
/// content-checked when read, and one that is damaged or stale is ignored and rewritten.
public struct PlanCache {
    /// What a check depends on besides the file system.
    public struct Request: Sendable {
        public var file: String
        public var overrides: [(String, String)]
        /// The tool's version; the executable's identity is added to it.
        public var tool: String

        public init(file: String, overrides: [(String, String)], tool: String) {
            self.file = file
            self.overrides = overrides
            self.tool = tool
        }
    }

    /// Why an entry was not used (what tests check).
    public enum Miss: Error, Equatable, Sendable {
        case absent, damaged, unidentifiedTool
        case changed(path: String)
    }

    public let store: Store
    public let key: Digest?

    public init(store: Store, request: Request) {
        self.store = store
        self.key = PlanCache.key(request)
    }

    static func key(_ request: Request) -> Digest? {
        guard let executable = FileIdentity.of(path: "/proc/self/exe") ?? Bundle.main.executablePath.flatMap({ FileIdentity.of(path: $0) }) else { return nil }
        var h = SHA256Hasher()
        func field(_ s: String) {
            h.update(String(s.utf8.count))
            h.update(":")
            h.update(s)
        }
        field("assay-plan-cache 2")
        field(request.tool)
        // Not its ctime: a hard link to the binary (perf's build-id cache makes one) changes it.
        for n in [Int64(bitPattern: executable.device), Int64(bitPattern: executable.inode), executable.size, executable.modifiedNanoseconds] {
            field(String(n))
        }
        let cwd = FileManager.default.currentDirectoryPath
        field(cwd)
        field(request.file)
        field(ExperimentPath.resolve(request.file, relativeTo: cwd))
        field(FileManager.default.homeDirectoryForCurrentUser.path)
        field(String(MachineLimits.current.memoryBytes))
        field(String(request.overrides.count))
        for (name, value) in request.overrides {
            field(name)
            field(value)
        }
        return h.finalize()
    }

    /// The cached plan, if its entry is intact and still valid.
    /// - Parameter sources: the digests of files read from outside the store, asked again.
    public func lookup(sources: SourceDigests) -> Result<CachedPlan, Miss> {
        guard let key else { return .failure(.unidentifiedTool) }
        guard let bytes = store.cachedPlan(named: key.hex) else { return .failure(.absent) }
        let entry: Entry
        do {
            var reader = try PlanCacheReader(bytes)
            entry = try Entry.decode(from: &reader)
            guard reader.atEnd, entry.key == key else { return .failure(.damaged) }
        } catch {
            return .failure(.damaged)
        }
        for input in entry.inputs.items {
            if let path = PlanCache.changedPath(input, started: entry.inputs.started) { return .failure(.changed(path: path)) }
        }
        for (path, digest) in entry.sources where (try? sources.digest(of: path)) != digest {
            return .failure(.changed(path: path))
        }
        sources.save()
        return .success(entry.plan)
    }

    /// Files a fresh check and lowering; nothing when the check said anything (its messages are
    /// printed by every command) or the tool cannot be identified. Failures only cost speed.
    public func save(_ plan: CachedPlan, check: CheckResult, sources: SourceDigests) {
        guard let key, check.diagnostics.isEmpty, !check.experiments.isEmpty else { return }
        let entry = Entry(key: key, inputs: check.inputs, sources: sources.consultedDigests.sorted { $0.key < $1.key }, plan: plan)
        var writer = PlanCacheWriter()
        entry.encode(into: &writer)
        try? store.storeCachedPlan(writer.encoded(), named: key.hex)
    }

    /// The path of an input that may have changed since `started`, nil when it certainly did not.
    static func changedPath(_ input: CheckInput, started: Int64) -> String? {
        switch input {
        case .text(let path, let identity, let digest):
            let now = FileIdentity.of(path: path)
            if let identity, now == identity, !identity.isRacy(lookedAtBefore: started) { return nil }
            guard now != nil, let data = FileManager.default.contents(atPath: path), Digest.of(data) == digest else { return path }
            return nil
        case .presence(let path, let exists, let isDirectory):
            let now = FileIdentity.of(path: path)
            return (now != nil) == exists && (now?.isDirectory ?? false) == isDirectory ? nil : path
        case .contents(let path, let identity):
            let now = FileIdentity.of(path: path)
            if now == identity, !(identity?.isRacy(lookedAtBefore: started) ?? false) { return nil }
            return path
        }
    }
}

extension PlanCache {
    /// One cache file: the key it answers, what the check read, what the planner hashed, the plan.
    struct Entry {
        var key: Digest
        var inputs: CheckInputs
        var sources: [(String, Digest)]
        var plan: CachedPlan

        func encode(into w: inout PlanCacheWriter) {
            w.digest(key)
            w.int(inputs.started)
            w.count(inputs.items.count)
            for input in inputs.items {
                switch input {
                case .text(let path, let identity, let digest):
                    w.count(0)
                    w.string(path)
                    Entry.encode(identity, into: &w)
                    w.digest(digest)
                case .presence(let path, let exists, let isDirectory):
                    w.count(1)
                    w.string(path)
                    w.bool(exists)
                    w.bool(isDirectory)
                case .contents(let path, let identity):
                    w.count(2)
                    w.string(path)
                    Entry.encode(identity, into: &w)
                }
            }
            w.count(sources.count)
            for (path, digest) in sources {
                w.string(path)
                w.digest(digest)
            }
            plan.encode(into: &w)
        }

        static func decode(from r: inout PlanCacheReader) throws -> Entry {
            let key = try r.digest()
            var inputs = CheckInputs(started: try r.int())
            for _ in 0..<(try r.count()) {
                switch try r.count() {
                case 0: inputs.append(.text(path: try r.string(), identity: try identity(from: &r), digest: try r.digest()))
                case 1: inputs.append(.presence(path: try r.string(), exists: try r.bool(), isDirectory: try r.bool()))
                case 2: inputs.append(.contents(path: try r.string(), identity: try identity(from: &r)))
                default: throw PlanCacheReader.Damaged()
                }
            }
            var sources: [(String, Digest)] = []
            for _ in 0..<(try r.count()) { sources.append((try r.string(), try r.digest())) }
            return Entry(key: key, inputs: inputs, sources: sources, plan: try CachedPlan.decode(from: &r))
        }

        static func encode(_ identity: FileIdentity?, into w: inout PlanCacheWriter) {
            w.bool(identity != nil)
            guard let identity else { return }
            for n in [Int64(bitPattern: identity.device), Int64(bitPattern: identity.inode), identity.size, identity.modifiedNanoseconds, identity.changedNanoseconds] {
                w.int(n)
            }
            w.bool(identity.isDirectory)
        }

        static func identity(from r: inout PlanCacheReader) throws -> FileIdentity? {
            guard try r.bool() else { return nil }
            return FileIdentity(
                device: UInt64(bitPattern: try r.int()), inode: UInt64(bitPattern: try r.int()), size: try r.int(),
                modifiedNanoseconds: try r.int(), changedNanoseconds: try r.int(), isDirectory: try r.bool())
        }
    }
}
