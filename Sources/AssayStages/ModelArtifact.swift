import AssayLanguage
import AssayNN
import AssaySupport
import Foundation

/// A trained model as an artifact: a safetensors file with torchvision-style tensor names
/// whose metadata carries the model's ``ModelSpec`` (so the file alone rebuilds the network,
/// and PyTorch can load the tensors as they are).
public enum ModelArtifact {
    static let specKey = "assay.model-spec"

    public static func write(_ network: SpecNetwork, to url: URL, metadata: [String: String] = [:]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let spec = String(decoding: try encoder.encode(network.spec), as: UTF8.self)
        var all = metadata
        all[specKey] = spec
        try SafeTensors.write(network.stateDict(), metadata: all, to: url.path)
    }

    /// Rebuilds the network and loads its tensors (evaluation mode).
    public static func read(from url: URL, stage: String) throws -> SpecNetwork {
        let contents: SafeTensors.Contents
        do { contents = try SafeTensors.read(path: url.path) } catch {
            throw StageError(stage: stage, "cannot read the model artifact \(url.path): \(SystemErrorText.message(for: error))")
        }
        guard let text = contents.metadata[specKey], let spec = try? JSONDecoder().decode(ModelSpec.self, from: Data(text.utf8)) else {
            throw StageError(stage: stage, "the model artifact \(url.path) carries no Assay model description",
                             help: "it was not written by Assay's `train`; import weights with `weights:` on a model declaration")
        }
        let network = try SpecNetwork(spec: spec, seed: 0)
        do { try network.loadStateDict(contents.tensors, strict: true) } catch {
            throw StageError(stage: stage, "the model artifact \(url.path) does not match its own description: \(SystemErrorText.message(for: error))")
        }
        network.eval()
        return network
    }
}
