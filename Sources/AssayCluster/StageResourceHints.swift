import AssayEngine
import Foundation

/// Reads a plan node's executor hints (`PlanNode.resources`, string to
/// string) as Slurm resources.
///
/// Keys: `cpus`, `memory`, `time`, `partition`, `gpus`. Numbers without a
/// unit are base units (memory in bytes, time in seconds), which is what the
/// language's `ResourceSpec` holds; units are accepted too: memory `512M`,
/// `8GiB`, `1.5G` (binary multiples); time `90s`, `30m`, `2h`, `1d`, or
/// Slurm's `[days-]hours:minutes:seconds`. Other keys are ignored: they
/// belong to other executors.
public enum StageResourceHints {
    public static let cpusKey = "cpus"
    public static let memoryKey = "memory"
    public static let timeKey = "time"
    public static let partitionKey = "partition"
    public static let gpusKey = "gpus"

    public enum HintError: Error, Equatable, Sendable, CustomStringConvertible {
        case unreadable(stage: String, key: String, value: String, expected: String)

        public var description: String {
            switch self {
            case let .unreadable(stage, key, value, expected):
                return "stage `\(stage)`: resource `\(key)` is `\(value)`; expected \(expected)"
            }
        }
    }

    public static func resources(of node: PlanNode) throws -> SlurmResources {
        let hints = node.resources
        func value<T>(_ key: String, expected: String, _ read: (String) -> T?) throws -> T? {
            guard let text = hints[key]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            guard let parsed = read(text) else {
                throw HintError.unreadable(stage: node.id, key: key, value: text, expected: expected)
            }
            return parsed
        }
        var resources = SlurmResources()
        resources.cpus = try value(cpusKey, expected: "a whole number of CPUs of at least 1") { Int($0).flatMap { $0 >= 1 ? $0 : nil } }
        resources.memoryMegabytes = try value(memoryKey, expected: "bytes, or a size such as 512M or 8GiB", megabytes(fromMemory:))
        resources.timeLimitSeconds = try value(timeKey, expected: "seconds, or a duration such as 30m, 2h or 1-12:00:00", seconds(fromDuration:))
        resources.partition = hints[partitionKey].flatMap { $0.isEmpty ? nil : $0 }
        resources.gpus = try value(gpusKey, expected: "a whole number of GPUs") { Int($0).flatMap { $0 >= 0 ? $0 : nil } }
        return resources
    }

    /// Mebibytes (rounded up, at least 1) from bytes or a size with a unit.
    static func megabytes(fromMemory text: String) -> Int? {
        let kib = 1024.0, mib = kib * 1024, gib = mib * 1024, tib = gib * 1024
        let units: [(suffix: String, bytes: Double)] = [
            ("tib", tib), ("gib", gib), ("mib", mib), ("kib", kib),
            ("tb", tib), ("gb", gib), ("mb", mib), ("kb", kib),
            ("t", tib), ("g", gib), ("m", mib), ("k", kib), ("b", 1),
        ]
        let lower = text.lowercased()
        var number = lower
        var scale = 1.0
        if let unit = units.first(where: { lower.hasSuffix($0.suffix) }) {
            number = String(lower.dropLast(unit.suffix.count)).trimmingCharacters(in: .whitespaces)
            scale = unit.bytes
        }
        guard let amount = Double(number), amount > 0, amount.isFinite else { return nil }
        return max(1, Int((amount * scale / mib).rounded(.up)))
    }

    /// Seconds from a number of seconds, `90s`/`30m`/`2h`/`1d`, or
    /// `[days-]hours:minutes:seconds` / `minutes:seconds`.
    static func seconds(fromDuration text: String) -> Int? {
        let lower = text.lowercased()
        let units: [(suffix: String, seconds: Double)] = [("s", 1), ("m", 60), ("h", 3_600), ("d", 86_400)]
        if let unit = units.first(where: { lower.hasSuffix($0.suffix) }), let amount = Double(lower.dropLast()), amount > 0 {
            return Int((amount * unit.seconds).rounded(.up))
        }
        if let plain = Int(lower) { return plain > 0 ? plain : nil }
        var days = 0
        var clock = Substring(lower)
        if let dash = lower.firstIndex(of: "-") {
            guard let d = Int(lower[..<dash]), d >= 0 else { return nil }
            days = d
            clock = lower[lower.index(after: dash)...]
        }
        let parts = clock.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
        guard parts.allSatisfy({ $0 != nil && $0! >= 0 }) else { return nil }
        let numbers = parts.map { $0! }
        let total: Int
        switch numbers.count {
        case 2: total = numbers[0] * 60 + numbers[1]
        case 3: total = numbers[0] * 3_600 + numbers[1] * 60 + numbers[2]
        default: return nil
        }
        let seconds = days * 86_400 + total
        return seconds > 0 ? seconds : nil
    }
}
