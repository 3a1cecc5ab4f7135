import AssaySupport
import Foundation

/// The tensor table of a safetensors file, read from its header without loading any data
/// (``SafetensorsLayout`` knows the format), and how it differs from what a model expects.
public struct SafetensorsHeader: Sendable {
    public var shapes: [String: [Int]]
    public var dtypes: [String: String]

    public enum ReadError: Error, CustomStringConvertible {
        case unreadable(String)
        case malformed(String)

        public var description: String {
            switch self {
            case .unreadable(let why): return why
            case .malformed(let why): return "not a safetensors file: \(why)"
            }
        }
    }

    /// Reads the header of the file at `path` (no tensor data is loaded).
    public static func read(path: String) throws -> SafetensorsHeader {
        let layout: SafetensorsLayout
        do { layout = try SafetensorsLayout.readHeader(path: path) } catch let failure as SafetensorsLayout.Unreadable {
            throw ReadError.unreadable(failure.description)
        } catch {
            throw ReadError.malformed("\(error)")
        }
        return SafetensorsHeader(shapes: layout.entries.mapValues(\.shape), dtypes: layout.entries.mapValues(\.dtype))
    }

    /// Differences from what a model expects, one line per tensor: missing, unexpected, or mis-shaped.
    public func mismatches(against tensors: [TensorSpec]) -> [String] {
        var problems: [String] = []
        let expected = Dictionary(tensors.map { ($0.name, $0.shape) }, uniquingKeysWith: { a, _ in a })
        func text(_ s: [Int]) -> String { "[" + s.map(String.init).joined(separator: ", ") + "]" }
        for t in tensors {
            guard let shape = shapes[t.name] else {
                problems.append("missing tensor `\(t.name)` (expected shape \(text(t.shape)))")
                continue
            }
            // torchvision saves `num_batches_tracked` as a 0-d tensor; accept [] and [1].
            if shape != t.shape && !(t.shape.isEmpty && shape == [1]) {
                problems.append("tensor `\(t.name)` has shape \(text(shape)), expected \(text(t.shape))")
            }
        }
        // The element types the tensor engine's reader converts (`AssayNN.SafeTensors`).
        for t in tensors {
            if let dtype = dtypes[t.name], !SafetensorsLayout.readableDTypes.contains(dtype) {
                problems.append("tensor `\(t.name)` has dtype \(dtype), which Assay cannot read (use one of \(SafetensorsLayout.readableDTypes.sorted().joined(separator: ", ")))")
            }
        }
        for name in shapes.keys.sorted() where expected[name] == nil {
            problems.append("unexpected tensor `\(name)` (shape \(text(shapes[name]!)))")
        }
        return problems
    }
}
