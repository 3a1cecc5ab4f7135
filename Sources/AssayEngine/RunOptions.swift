import AssaySupport

/// How to run a plan.
public struct RunOptions: Sendable {
    /// Stages that may execute at the same time.
    public var jobs: Int
    /// Threads each stage may use.
    public var threadsPerStage: Int
    /// After a failure, keep running everything that does not depend on it (else stop dispatching).
    public var keepGoing: Bool
    /// Re-execute these stages even if cached; their dependents rerun only if outputs change.
    public var force: Set<String>
    /// Re-execute these stages and everything downstream of them.
    public var from: Set<String>
    /// Run just this stage; everything it reads must already be cached.
    public var only: String?
    /// Resolve keys and hits, execute nothing.
    public var dryRun: Bool
    public var verification: Store.Verification
    /// Record the run in the history (runs, stage records, metrics).
    public var recordHistory: Bool
    /// What the history records about the experiment.
    public var description: RunDescription

    public init(
        jobs: Int = 1, threadsPerStage: Int = 1, keepGoing: Bool = true, force: Set<String> = [],
        from: Set<String> = [], only: String? = nil, dryRun: Bool = false, verification: Store.Verification = .stat,
        recordHistory: Bool = true, description: RunDescription = RunDescription()
    ) {
        self.jobs = jobs
        self.threadsPerStage = threadsPerStage
        self.keepGoing = keepGoing
        self.force = force
        self.from = from
        self.only = only
        self.dryRun = dryRun
        self.verification = verification
        self.recordHistory = recordHistory
        self.description = description
    }
}

/// The experiment a run came from, as recorded in the history.
public struct RunDescription: Sendable, Equatable {
    public var experimentPath: String
    /// Digest of the experiment file's bytes.
    public var experimentDigest: String
    /// The resolved experiment (parameters filled in) as canonical JSON; per point for sweeps.
    public var parametersJSON: String { didSet { parametersDigest = Digest.of(parametersJSON) } }
    /// SHA-256 of ``parametersJSON``: run records and the history refer to the text by it, and
    /// the store keeps it once (`descriptions/<hex>`), not once per run.
    public private(set) var parametersDigest: Digest
    /// Looked up with `git rev-parse HEAD` in the experiment's directory when nil and a path is given.
    public var gitCommit: String?

    public init(experimentPath: String = "", experimentDigest: String = "", parametersJSON: String = "{}", gitCommit: String? = nil) {
        self.init(experimentPath: experimentPath, experimentDigest: experimentDigest, parametersJSON: parametersJSON,
                  parametersDigest: Digest.of(parametersJSON), gitCommit: gitCommit)
    }

    /// With the parameters' digest already known (a cached plan keeps it): not hashed again.
    public init(experimentPath: String, experimentDigest: String, parametersJSON: String, parametersDigest: Digest, gitCommit: String? = nil) {
        self.experimentPath = experimentPath
        self.experimentDigest = experimentDigest
        self.parametersJSON = parametersJSON
        self.parametersDigest = parametersDigest
        self.gitCommit = gitCommit
    }
}
