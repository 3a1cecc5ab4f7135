import AssayEngine

/// Why an experiment could not become a plan. The checker has already validated the
/// experiment, so these are about the world outside it: files that vanished or cannot
/// be read, or an internal inconsistency the plan validation caught.
public enum PlannerError: Error, CustomStringConvertible, Equatable {
    case sourceMissing(path: String)
    case sourceUnreadable(path: String, reason: String)
    case invalidPlan(String)

    public var description: String {
        switch self {
        case .sourceMissing(let path):
            return "\(path): no such file or folder; it is read by the experiment (fix the path, or restore the file)"
        case .sourceUnreadable(let path, let reason):
            return "\(path): cannot be read (\(reason))"
        case .invalidPlan(let message):
            return "the experiment did not lower to a valid plan: \(message)"
        }
    }
}
