import AssaySupport
import Foundation

/// A run's parameters (the resolved experiment as canonical JSON: every stage's parameters,
/// ~300 KB at 1,000 stages) stored once by content in `descriptions/<hex>`. Run records and
/// the history refer to it by digest, so a rerun of an unchanged experiment writes nothing
/// here, where it used to write the text three times.
extension Store {
    var descriptionsPath: String { rootPath + "/descriptions" }

    func descriptionPath(_ digest: Digest) -> String { descriptionsPath + "/" + digest.hex }

    /// Writes the parameters file. The engine calls it only when the history does not know the
    /// text yet (`History.hasDescription`): the file is written before any record refers to it,
    /// and a rerun of the same experiment touches nothing here.
    func storeParameters(of description: RunDescription) throws {
        try FileSystem.makeDirectory(descriptionsPath)
        try FileSystem.writeAtomically(
            Array(description.parametersJSON.utf8), to: descriptionPath(description.parametersDigest), temporaryDirectory: temporaryPath,
            sync: durable)
    }

    /// The parameters stored under `digest`, nil when missing or not matching their digest.
    func storedParameters(_ digest: Digest) -> String? {
        guard let bytes = try? FileSystem.readFile(descriptionPath(digest)), Digest.of(bytes) == digest else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}
