import AssaySupport

/// A module that draws from a generator of its own while training (dropout's masks): its
/// position in the sequence belongs in a checkpoint beside the weights, or a resumed training
/// draws other masks than an uninterrupted one.
public protocol RandomizedModule: Module {
    /// The generator's whole state (``SeededRandom/state``); setting it continues from there.
    var randomState: [UInt64] { get set }
}

extension Module {
    /// The generator state of every ``RandomizedModule`` in the tree, by dotted path.
    public func randomStates() -> [String: [UInt64]] {
        var states: [String: [UInt64]] = [:]
        for (path, module) in namedModules() {
            if let randomized = module as? any RandomizedModule { states[path] = randomized.randomState }
        }
        return states
    }

    /// Puts back what ``randomStates()`` returned; throws ``RandomStateMismatch`` (and changes
    /// nothing) unless `states` names exactly this tree's randomised modules with valid states.
    public func restoreRandomStates(_ states: [String: [UInt64]]) throws {
        let own = randomStates()
        guard Set(own.keys) == Set(states.keys) else {
            let list = { (paths: Dictionary<String, [UInt64]>.Keys) in paths.isEmpty ? "none" : paths.sorted().map { "`\($0)`" }.joined(separator: ", ") }
            throw RandomStateMismatch(reason: "they are of the modules \(list(states.keys)), the network's randomised modules are \(list(own.keys))")
        }
        if let bad = states.first(where: { SeededRandom(state: $0.value) == nil }) {
            throw RandomStateMismatch(reason: "the state of `\(bad.key)` is not a generator state (four words, not all zero)")
        }
        for (path, module) in namedModules() {
            guard var randomized = module as? any RandomizedModule, let state = states[path] else { continue }
            randomized.randomState = state
        }
    }
}

/// Saved generator states that do not fit a network's randomised modules.
public struct RandomStateMismatch: Error, Equatable, CustomStringConvertible {
    public let reason: String
    public var description: String { "the saved random states do not fit: \(reason)" }
}
