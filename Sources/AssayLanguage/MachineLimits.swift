import Foundation

/// What the machine offers a stage, against which the checker bounds estimated memory.
///
/// `current` reads the physical memory; tests inject a limit so that their diagnostics do not
/// depend on the machine. A stage that declares `resources: { memory: ... }` is bounded by
/// that instead (it may run on a bigger cluster node).
public struct MachineLimits: Hashable, Sendable {
    public var memoryBytes: Int

    public init(memoryBytes: Int) {
        self.memoryBytes = memoryBytes
    }

    public static var current: MachineLimits {
        MachineLimits(memoryBytes: Int(clamping: ProcessInfo.processInfo.physicalMemory))
    }

    /// `24.0 GiB`, `512.0 MiB`: sizes in messages.
    public static func describe(bytes: Int) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var value = Double(bytes), unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(bytes) bytes" : String(format: "%.1f %@", value, units[unit])
    }
}
