import Foundation

/// What one job asks of the cluster. Every field is optional: a missing one
/// is filled from the executor's defaults, and if still missing it is left to
/// the cluster's own defaults (no flag is passed).
public struct SlurmResources: Hashable, Sendable, Codable {
    /// `--cpus-per-task`.
    public var cpus: Int?
    /// `--mem`, in mebibytes.
    public var memoryMegabytes: Int?
    /// `--time`, in seconds (Slurm rounds up to whole minutes).
    public var timeLimitSeconds: Int?
    /// `--partition`.
    public var partition: String?
    /// `--gpus`.
    public var gpus: Int?

    public init(cpus: Int? = nil, memoryMegabytes: Int? = nil, timeLimitSeconds: Int? = nil, partition: String? = nil, gpus: Int? = nil) {
        self.cpus = cpus
        self.memoryMegabytes = memoryMegabytes
        self.timeLimitSeconds = timeLimitSeconds
        self.partition = partition
        self.gpus = gpus
    }

    /// These resources, with each missing field taken from `defaults`.
    public func filled(from defaults: SlurmResources) -> SlurmResources {
        SlurmResources(
            cpus: cpus ?? defaults.cpus,
            memoryMegabytes: memoryMegabytes ?? defaults.memoryMegabytes,
            timeLimitSeconds: timeLimitSeconds ?? defaults.timeLimitSeconds,
            partition: partition ?? defaults.partition,
            gpus: gpus ?? defaults.gpus)
    }

    /// The `sbatch` options asking for these resources.
    public var sbatchOptions: [String] {
        var options: [String] = []
        if let cpus { options.append("--cpus-per-task=\(cpus)") }
        if let memoryMegabytes { options.append("--mem=\(memoryMegabytes)M") }
        if let timeLimitSeconds { options.append("--time=\(Self.slurmDuration(seconds: timeLimitSeconds))") }
        if let partition { options.append("--partition=\(partition)") }
        if let gpus, gpus > 0 { options.append("--gpus=\(gpus)") }
        return options
    }

    /// Slurm's `days-hours:minutes:seconds` form, which every version reads.
    static func slurmDuration(seconds: Int) -> String {
        let total = max(seconds, 1)
        let days = total / 86_400
        let hours = total / 3_600 % 24
        let minutes = total / 60 % 60
        let rest = total % 60
        return String(format: "%d-%02d:%02d:%02d", days, hours, minutes, rest)
    }
}
