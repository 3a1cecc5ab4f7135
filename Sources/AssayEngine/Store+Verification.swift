import AssaySupport
import Foundation

/// What `Store.verify()` found and what it did about it.
public struct StoreVerification: Sendable, Equatable {
    public struct CorruptObject: Sendable, Equatable {
        public var digest: Digest
        public var path: String
    }

    /// An action record that could not be trusted; it was removed, so its stage executes again.
    public struct RefusedRecord: Sendable, Equatable {
        /// The file's name below `actions/` (`ab/abcd…`).
        public var file: String
        /// The stage it was recorded for, when the record could still be read.
        public var stage: String?
        public var problem: String
    }

    public var objectsChecked = 0
    public var bytesChecked: Int64 = 0
    /// Objects whose bytes no longer hash to their name: removed.
    public var corruptObjects: [CorruptObject] = []
    public var recordsChecked = 0
    /// Damaged, edited or misfiled records, and records whose outputs are gone: removed.
    public var refusedRecords: [RefusedRecord] = []
    /// Sound records written before records had checksums: kept (their contents cannot be
    /// checked beyond their recipe and objects); the stage names they were recorded for.
    public var unchecksummedRecords: [String] = []
    /// Objects and records that could not be read (permissions, I/O errors): reported and left
    /// alone — unreadable is not proof of damage, and on a shared store the bytes may be sound.
    public var unreadable: [(path: String, problem: String)] = []

    /// Whether anything was damaged or unreadable (then `assay verify` exits 1).
    public var damageFound: Bool { !corruptObjects.isEmpty || !refusedRecords.isEmpty || !unreadable.isEmpty }

    public static func == (a: StoreVerification, b: StoreVerification) -> Bool {
        a.objectsChecked == b.objectsChecked && a.bytesChecked == b.bytesChecked && a.corruptObjects == b.corruptObjects
            && a.recordsChecked == b.recordsChecked && a.refusedRecords == b.refusedRecords
            && a.unchecksummedRecords == b.unchecksummedRecords
            && a.unreadable.map(\.path) == b.unreadable.map(\.path) && a.unreadable.map(\.problem) == b.unreadable.map(\.problem)
    }
}

extension Store {
    /// Re-hashes every object and checks every action record — format, checksum, that its recipe
    /// hashes to the key it is filed under, that its outputs exist — and repairs what it can:
    /// a corrupt object is removed (the stage that made it runs again), and so is a record that
    /// cannot be trusted or that points at a missing or removed object. Nothing else changes.
    ///
    /// Holds the store lock shared, like a run: `gc` cannot delete underneath it, and runs may
    /// go on (they treat what this removes as a miss).
    public func verify(objectProgress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) throws -> StoreVerification {
        let lock = try storeLock()
        _ = lock.lock(exclusive: false)
        defer { lock.unlock() }
        var report = StoreVerification()

        (report.objectsChecked, report.bytesChecked, report.corruptObjects, report.unreadable) = rehashAllObjects(progress: objectProgress)
        let removed = Set(report.corruptObjects.map(\.digest))

        for shard in FileSystem.contents(of: actionsPath).sorted() {
            for name in FileSystem.contents(of: actionsPath + "/" + shard).sorted() {
                report.recordsChecked += 1
                let file = shard + "/" + name
                let path = actionsPath + "/" + file
                var stage: String?
                func refuse(_ problem: String) {
                    unlink(path)
                    report.refusedRecords.append(.init(file: file, stage: stage, problem: problem))
                }
                let record: ActionRecord
                let sealed: Bool
                let bytes: [UInt8]
                do {
                    guard let read = try FileSystem.readFile(path) else { continue }
                    bytes = read
                } catch {
                    report.unreadable.append((path, "\(error)"))
                    continue
                }
                do {
                    stage = try? ActionRecord.decodeIgnoringChecksum(bytes, path: path).stage
                    (record, sealed) = try ActionRecord.decodeReportingSeal(bytes, path: path)
                } catch {
                    var problem = "\(error)"
                    if case EngineError.malformedRecord(_, let message) = error { problem = message }
                    refuse(problem)
                    continue
                }
                stage = record.stage
                guard Digest(hex: name) == record.key else {
                    refuse("it is filed under another key than the one it records")
                    continue
                }
                let recipeKey = StageKey.compute(
                    operatorName: record.operatorName, operatorVersion: record.operatorVersion,
                    parameters: record.parameters, inputs: record.inputs)
                guard recipeKey == record.key else {
                    refuse("its recipe (operator, version, parameters, inputs) does not hash to its key")
                    continue
                }
                if let lost = record.outputs.first(where: { removed.contains($0.digest) || !hasObject($0.digest) }) {
                    let why = removed.contains(lost.digest) ? "was corrupt and removed" : "is missing"
                    refuse("its output `\(lost.name)` (object \(lost.digest.short)) \(why)")
                    continue
                }
                if !sealed { report.unchecksummedRecords.append(record.stage) }
            }
        }
        return report
    }

    /// Re-hashes every object in name order and removes those that do not match their name.
    func rehashAllObjects(progress: (_ done: Int, _ total: Int) -> Void) -> (checked: Int, bytes: Int64, corrupt: [StoreVerification.CorruptObject], unreadable: [(path: String, problem: String)]) {
        var files: [String] = []
        for shard in FileSystem.contents(of: objectsPath).sorted() {
            for name in FileSystem.contents(of: objectsPath + "/" + shard).sorted() { files.append(shard + "/" + name) }
        }
        var bytes: Int64 = 0
        var corrupt: [StoreVerification.CorruptObject] = []
        var unreadable: [(path: String, problem: String)] = []
        for (i, file) in files.enumerated() {
            let path = objectsPath + "/" + file
            bytes += FileSystem.fileStat(path)?.size ?? 0
            if let expected = Digest(hex: (file as NSString).lastPathComponent) {
                do {
                    if try FileSystem.digest(ofFile: path) != expected {
                        quarantine(path)
                        corrupt.append(.init(digest: expected, path: path))
                    }
                } catch {
                    // Unreadable is not proof of damage (permissions, an I/O error on a shared
                    // store): reported by the caller, never removed.
                    unreadable.append((path, "\(error)"))
                }
            }
            progress(i + 1, files.count)
        }
        return (files.count, bytes, corrupt, unreadable)
    }
}
