import AssaySupport
import Foundation

/// A file or folder a stage read from outside the store, as its recorded parameters name it:
/// the parameter's data path, the path as written in the experiment, and the content digest
/// the planner put into the key (the `sources` map of ``Planner/node(for:experimentDirectory:)``).
public struct SourceReference: Sendable, Equatable {
    public var parameter: String
    public var path: String
    public var digest: Digest

    /// The sources recorded in a plan node's canonical parameter bytes; [] when it read none.
    public static func all(inParameters bytes: [UInt8]) -> [SourceReference] {
        guard let parameters = try? CanonicalValue(json: bytes), let sources = parameters["sources"]?.mapValue else { return [] }
        return CanonicalValue.sortedKeys(sources).compactMap { parameter in
            guard let digest = sources[parameter]?.stringValue.flatMap(Digest.init(hex:)) else { return nil }
            var value: CanonicalValue? = parameters
            for part in parameter.split(separator: ".") {
                if let index = Int(part), let list = value?.listValue {
                    value = index < list.count ? list[index] : nil
                } else {
                    value = value?[String(part)]
                }
            }
            return SourceReference(parameter: parameter, path: value?.stringValue ?? "", digest: digest)
        }
    }
}
