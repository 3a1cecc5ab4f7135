import AssayData
import AssayNN
import AssaySupport
import Foundation

/// The target image of a ProxPulse attack: read from a PNG, resized (nearest neighbour) to the
/// model's input, values in [0, 1]. The attacked model carries it in its artifact's metadata,
/// so visualisations of that model can measure how close their synthetic FV came.
enum ProxPulseTarget {
    static let metadataKey = "assay.proxpulse-target"

    static func load(_ path: String, shape: SampleShape, stage: String) throws -> [Float] {
        let raster: RasterImage
        do { raster = try PNGCodec.read(URL(fileURLWithPath: path), channels: shape.channels) } catch {
            throw StageError(stage: stage, path: "attack.objective.proxpulse.target", "cannot read the target image \(path): \(SystemErrorText.message(for: error))", help: "give a PNG file")
        }
        let planar = raster.planar
        var out = [Float](repeating: 0, count: shape.count)
        for c in 0..<shape.channels {
            for y in 0..<shape.height {
                for x in 0..<shape.width {
                    let sy = y * raster.height / shape.height, sx = x * raster.width / shape.width
                    out[(c * shape.height + y) * shape.width + x] = Float(planar[(c * raster.height + sy) * raster.width + sx]) / 255
                }
            }
        }
        return out
    }

    static func encode(_ image: [Float]) -> String { image.map { String($0) }.joined(separator: " ") }

    /// The target stored in a model artifact, if any.
    static func stored(inModelAt url: URL) -> [Float]? {
        guard let contents = try? SafeTensors.read(path: url.path), let text = contents.metadata[metadataKey] else { return nil }
        return text.split(separator: " ").compactMap { Float(String($0)) }
    }
}
