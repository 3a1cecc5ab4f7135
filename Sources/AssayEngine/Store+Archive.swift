import AssaySupport
import Foundation

/// What an export or import moved.
public struct ArchiveSummary: Sendable, Equatable {
    public var records: Int
    public var objects: Int
    public var bytes: Int64
    /// Import only: records skipped because the store already had them.
    public var alreadyPresent: Int
}

extension Store {
    /// Writes the action records for `keys` and every object they output into a tar archive:
    /// `manifest.json`, `objects/<digest>`, `actions/<key>`. Importing it elsewhere makes the
    /// same stages cache hits there. Keys without a record here are skipped.
    @discardableResult
    public func exportArchive(keys: [Digest], to url: URL) throws -> ArchiveSummary {
        var records: [ActionRecord] = []
        var seen = Set<Digest>()
        for key in keys where seen.insert(key).inserted {
            if let record = try actionRecord(for: key) { records.append(record) }
        }
        var objects: [Digest: Int64] = [:]
        for record in records {
            for output in record.outputs {
                guard let info = FileSystem.fileStat(objectPath(output.digest)) else { throw EngineError.missingObject(digest: output.digest.hex) }
                objects[output.digest] = info.size
            }
        }
        let manifest: [String: Any] = [
            "format": "assay-archive", "version": 1,
            "records": records.map { r in
                ["key": r.key.hex, "stage": r.stage, "operator": r.operatorName,
                 "outputs": Dictionary(uniqueKeysWithValues: r.outputs.map { ($0.name, $0.digest.hex) })] as [String: Any]
            },
            "objects": objects.keys.sorted().map { ["digest": $0.hex, "size": objects[$0]!] as [String: Any] },
        ]
        let manifestData = try JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys, .prettyPrinted])
        let writer = try TarWriter(path: url.path)
        try writer.add(name: "manifest.json", bytes: [UInt8](manifestData))
        var bytes: Int64 = 0
        for digest in objects.keys.sorted() {
            try writer.add(name: "objects/" + digest.hex, fileAt: objectPath(digest))
            bytes += objects[digest]!
        }
        for record in records { try writer.add(name: "actions/" + record.key.hex, bytes: record.encoded()) }
        try writer.finish()
        return ArchiveSummary(records: records.count, objects: objects.count, bytes: bytes, alreadyPresent: 0)
    }

    /// Exports what the given runs used or produced (their hit and executed stages).
    @discardableResult
    public func exportArchive(runs: [String], history: History, to url: URL) throws -> ArchiveSummary {
        var keys: [Digest] = []
        for run in runs {
            keys += try history.run(run).stages.filter { $0.status == "hit" || $0.status == "executed" }.compactMap(\.key)
        }
        return try exportArchive(keys: keys, to: url)
    }

    /// Reads an archive into this store. Every object is hashed as it streams in and rejected
    /// if it does not match its name; a record is installed only once all its outputs are here.
    @discardableResult
    public func importArchive(from url: URL, history: History? = nil) throws -> ArchiveSummary {
        let reader = try TarReader(path: url.path)
        var records: [ActionRecord] = []
        var objects = 0
        var bytes: Int64 = 0
        try reader.forEachEntry { name, size, read in
            if name.hasPrefix("objects/") {
                guard let digest = Digest(hex: String(name.dropFirst(8))) else {
                    throw EngineError.archive(path: url.path, message: "entry `\(name)` is not named by a digest")
                }
                if hasObject(digest) { return }
                let temporary = temporaryPath + "/" + FileSystem.uniqueName(prefix: "import")
                _ = FileManager.default.createFile(atPath: temporary, contents: nil)
                let out = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
                var hasher = SHA256Hasher()
                do {
                    try read { chunk in
                        hasher.update(chunk)
                        try out.write(contentsOf: chunk)
                    }
                    try out.close()
                } catch {
                    try? out.close()
                    FileSystem.remove(temporary)
                    throw error
                }
                guard hasher.finalize() == digest else {
                    FileSystem.remove(temporary)
                    throw EngineError.archive(path: url.path, message: "object \(digest.short) does not match its digest; the archive is corrupt")
                }
                _ = try publish(fileAt: temporary)
                objects += 1
                bytes += Int64(size)
            } else if name.hasPrefix("actions/") {
                var data: [UInt8] = []
                try read { data += $0 }
                let record = try ActionRecord.decode(data, path: url.path + ":" + name)
                guard record.key.hex == String(name.dropFirst(8)) else {
                    throw EngineError.archive(path: url.path, message: "record `\(name)` holds key \(record.key.short)")
                }
                records.append(record)
            }
        }
        var installed = 0
        var present = 0
        for var record in records {
            if let existing = try actionRecord(for: record.key), check(existing) == .valid {
                present += 1
                continue
            }
            // Re-stat here: the record must carry this store's sizes and mtimes.
            var complete = true
            for i in record.outputs.indices {
                guard let info = FileSystem.fileStat(objectPath(record.outputs[i].digest)) else { complete = false; break }
                record.outputs[i].size = info.size
                record.outputs[i].modifiedNanoseconds = info.modifiedNanoseconds
            }
            guard complete else {
                throw EngineError.archive(path: url.path, message: "record for `\(record.stage)` names an object the archive does not contain")
            }
            try write(record)
            try history?.record(recipeOf: record)
            installed += 1
        }
        return ArchiveSummary(records: installed, objects: objects, bytes: bytes, alreadyPresent: present)
    }
}
