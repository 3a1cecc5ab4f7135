import Foundation

/// A Slurm job id, as `sbatch --parsable` prints it and `squeue`, `sacct` and
/// `scancel` take it (`"4242"`).
public struct SlurmJobID: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String

    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    /// Reads the output of `sbatch --parsable`: `"4242"` or, on a federated
    /// system, `"4242;cluster"`. Nil unless the id is a positive number.
    public init?(parsableSubmission output: String) {
        let firstLine = output.split(whereSeparator: \.isNewline).first ?? ""
        let id = firstLine.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
        let trimmed = id.trimmingCharacters(in: .whitespaces)
        guard let number = UInt64(trimmed), number > 0 else { return nil }
        self.rawValue = String(number)
    }

    public var description: String { rawValue }

    /// Numeric order (job ids grow with submission), so listings read in order.
    public static func < (a: SlurmJobID, b: SlurmJobID) -> Bool {
        if let x = UInt64(a.rawValue), let y = UInt64(b.rawValue) { return x < y }
        return a.rawValue < b.rawValue
    }

    public init(from decoder: Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
