import AssaySupport
import Foundation

/// How to compose segmentation scenes from item images (M2NIST-style).
public struct SceneSpec: Hashable, Codable, Sendable {
    public enum Overlap: String, Hashable, Codable, Sendable {
        /// Items may overlap; pixels blend by maximum, the later item's label wins.
        case allow
        /// Items' foreground boxes never intersect (an item that finds no free place
        /// in 100 tries is left out, so a scene may hold fewer items than drawn).
        case avoid
        /// Items may overlap; a later item's foreground replaces earlier pixels and labels.
        case occlude
    }

    public enum Background: Hashable, Codable, Sendable {
        /// A constant grey level.
        case plain(UInt8)
        /// Independent uniform noise in 0…amplitude per pixel.
        case noise(amplitude: UInt8)
        /// A sinusoidal grating of random orientation and period (4…10 pixels), 0…amplitude.
        case texture(amplitude: UInt8)
    }

    public var canvas: ImageSize
    public var itemsPerScene: ClosedRange<Int>
    public var overlap: Overlap
    public var background: Background
    /// A pixel belongs to an item where the item's intensity (max over channels) ≥ threshold.
    public var threshold: UInt8
    public var backgroundClassName: String

    public init(canvas: ImageSize = ImageSize(height: 64, width: 64), itemsPerScene: ClosedRange<Int> = 2 ... 4,
                overlap: Overlap = .avoid, background: Background = .plain(0), threshold: UInt8 = 64,
                backgroundClassName: String = "background") {
        self.canvas = canvas
        self.itemsPerScene = itemsPerScene
        self.overlap = overlap
        self.background = background
        self.threshold = threshold
        self.backgroundClassName = backgroundClassName
    }
}

/// Where one item goes in a scene: which item image, its top-left corner, and
/// its mask class (item class + 1; 0 is the background).
public struct ScenePlacement: Hashable, Sendable {
    public var item: Int
    public var top: Int
    public var left: Int
    public var maskClass: UInt8
}

/// Composes scenes: scene s draws from its own stream (seed, s + 1), so a scene
/// depends only on the seed, its index, the items and the spec.
///
/// The result has one 'scene' label, masks with classes [background] + item
/// classes (a pixel's class is the class of the last item covering it with
/// intensity ≥ threshold, background elsewhere), and attribute `items` = the
/// number of items pasted.
public enum SceneComposer {
    public static func compose(items: ImageDataset, count: Int, spec: SceneSpec, seed: UInt64) throws -> ImageDataset {
        let plans = try plan(items: items, count: count, spec: spec, seed: seed)
        return try render(items: items, plans: plans, spec: spec, seed: seed)
    }

    /// The placements of every scene (seeded), without drawing.
    public static func plan(items: ImageDataset, count: Int, spec: SceneSpec, seed: UInt64) throws -> [[ScenePlacement]] {
        let tile = items.shape
        guard items.count > 0 else {
            throw DataError.invalidParameter(name: "items", value: "an empty data set", expected: "at least one item image")
        }
        guard tile.height <= spec.canvas.height, tile.width <= spec.canvas.width else {
            throw DataError.invalidParameter(name: "canvas", value: "\(spec.canvas.height)×\(spec.canvas.width)",
                                             expected: "at least the item size \(tile.height)×\(tile.width)")
        }
        guard spec.itemsPerScene.lowerBound >= 1 else {
            throw DataError.invalidParameter(name: "items per scene", value: "\(spec.itemsPerScene)", expected: "a range starting at 1 or more")
        }
        guard items.classNames.count + 1 <= 255 else {
            throw DataError.invalidParameter(name: "items", value: "\(items.classNames.count) classes", expected: "at most 254 classes")
        }
        let results = ResultSlots<[ScenePlacement]>(count: count)
        DataWorkers.forEach(count) { s in
            var random = SeededRandom(seed: seed, stream: UInt64(s) &+ 1)
            let span = spec.itemsPerScene.upperBound - spec.itemsPerScene.lowerBound + 1
            let n = spec.itemsPerScene.lowerBound + random.nextInt(below: span)
            var placed: [ScenePlacement] = []
            var taken: [Box] = []
            for _ in 0 ..< n {
                let item = random.nextInt(below: items.count)
                // Only the chosen item's box is needed, so it is computed here, not for every item.
                let itemBox = foregroundBox(items, item, threshold: spec.threshold)
                let maxTop = spec.canvas.height - tile.height, maxLeft = spec.canvas.width - tile.width
                var attempts = spec.overlap == .avoid ? 100 : 1
                while attempts > 0 {
                    attempts -= 1
                    let top = random.nextInt(below: maxTop + 1), left = random.nextInt(below: maxLeft + 1)
                    let box = itemBox.shifted(top: top, left: left)
                    if spec.overlap == .avoid && taken.contains(where: { $0.intersects(box) }) { continue }
                    taken.append(box)
                    placed.append(ScenePlacement(item: item, top: top, left: left, maskClass: UInt8(items.labels[item] + 1)))
                    break
                }
            }
            results.set(s, .success(placed))
        }
        return try (0 ..< count).map { try results.get($0) }
    }

    /// Draws planned scenes.
    public static func render(items: ImageDataset, plans: [[ScenePlacement]], spec: SceneSpec, seed: UInt64) throws -> ImageDataset {
        let tile = items.shape
        let shape = SampleShape(channels: tile.channels, height: spec.canvas.height, width: spec.canvas.width)
        let count = plans.count
        var pixels = [UInt8](repeating: 0, count: count * shape.count)
        var masks = [UInt8](repeating: 0, count: count * shape.planeCount)
        pixels.withUnsafeMutableBufferPointer { px in
            masks.withUnsafeMutableBufferPointer { mk in
                let pxBase = SendablePointer(px.baseAddress!), mkBase = SendablePointer(mk.baseAddress!)
                DataWorkers.forEach(count) { s in
                    // Background randomness uses a stream apart from the placement streams.
                    var random = SeededRandom(seed: seed ^ 0x4241_434B_4752_4F55, stream: UInt64(s))
                    let image = UnsafeMutableBufferPointer(start: pxBase.pointer + s * shape.count, count: shape.count)
                    let mask = UnsafeMutableBufferPointer(start: mkBase.pointer + s * shape.planeCount, count: shape.planeCount)
                    drawBackground(spec.background, into: image, shape: shape, random: &random)
                    for placement in plans[s] {
                        paste(items.image(at: placement.item), tile: tile, at: placement, into: image, mask: mask,
                              shape: shape, threshold: spec.threshold, occlude: spec.overlap == .occlude)
                    }
                }
            }
        }
        let maxItems = spec.itemsPerScene.upperBound
        return try ImageDataset(
            shape: shape, pixels: pixels, labels: [Int32](repeating: 0, count: count), classNames: ["scene"],
            attributes: [DatasetAttribute(name: "items", valueNames: (0 ... maxItems).map(String.init), values: plans.map { Int32($0.count) })],
            masks: SegmentationMasks(classNames: [spec.backgroundClassName] + items.classNames, voidLabel: nil, pixels: masks))
    }

    private static func paste(_ item: ArraySlice<UInt8>, tile: SampleShape, at placement: ScenePlacement,
                              into image: UnsafeMutableBufferPointer<UInt8>, mask: UnsafeMutableBufferPointer<UInt8>,
                              shape: SampleShape, threshold: UInt8, occlude: Bool) {
        let tilePlane = tile.planeCount, plane = shape.planeCount
        item.withUnsafeBufferPointer { src in
            for y in 0 ..< tile.height {
                for x in 0 ..< tile.width {
                    let t = y * tile.width + x
                    let p = (placement.top + y) * shape.width + placement.left + x
                    var intensity: UInt8 = 0
                    for c in 0 ..< tile.channels { intensity = max(intensity, src[c * tilePlane + t]) }
                    let foreground = intensity >= threshold
                    for c in 0 ..< tile.channels {
                        let v = src[c * tilePlane + t]
                        image[c * plane + p] = (occlude && foreground) ? v : max(image[c * plane + p], v)
                    }
                    if foreground { mask[p] = placement.maskClass }
                }
            }
        }
    }

    private static func drawBackground(_ background: SceneSpec.Background, into image: UnsafeMutableBufferPointer<UInt8>,
                                       shape: SampleShape, random: inout SeededRandom) {
        let plane = shape.planeCount
        switch background {
        case let .plain(level):
            image.update(repeating: level)
        case let .noise(amplitude):
            for p in 0 ..< plane {
                let v = UInt8(random.nextInt(below: Int(amplitude) + 1))
                for c in 0 ..< shape.channels { image[c * plane + p] = v }
            }
        case let .texture(amplitude):
            let angle = random.nextDouble() * Double.pi
            let period = 4 + random.nextDouble() * 6
            let phase = random.nextDouble() * 2 * Double.pi
            let kx = cos(angle) * 2 * Double.pi / period, ky = sin(angle) * 2 * Double.pi / period
            // sin(a + b) = sin a cos b + cos a sin b, with a from the column and b from the row.
            let sinX = (0 ..< shape.width).map { sin(kx * Double($0)) }, cosX = (0 ..< shape.width).map { cos(kx * Double($0)) }
            for y in 0 ..< shape.height {
                let b = ky * Double(y) + phase, sinB = sin(b), cosB = cos(b)
                for x in 0 ..< shape.width {
                    let s = 0.5 + 0.5 * (sinX[x] * cosB + cosX[x] * sinB)
                    let v = UInt8((s * Double(amplitude)).rounded())
                    for c in 0 ..< shape.channels { image[c * plane + y * shape.width + x] = v }
                }
            }
        }
    }

    /// The tight box around the item's pixels with intensity ≥ threshold (an empty item gets an empty box).
    private static func foregroundBox(_ items: ImageDataset, _ i: Int, threshold: UInt8) -> Box {
        let tile = items.shape
        var box = Box(top: Int.max, left: Int.max, bottom: -1, right: -1)
        items.pixels.withUnsafeBufferPointer { px in
            let image = px.baseAddress! + i * tile.count
            for c in 0 ..< tile.channels {
                for y in 0 ..< tile.height {
                    for x in 0 ..< tile.width where image[c * tile.planeCount + y * tile.width + x] >= threshold {
                        box.top = min(box.top, y); box.bottom = max(box.bottom, y)
                        box.left = min(box.left, x); box.right = max(box.right, x)
                    }
                }
            }
        }
        return box
    }

    /// An inclusive pixel box; empty when bottom < top.
    struct Box {
        var top: Int, left: Int, bottom: Int, right: Int
        func shifted(top dy: Int, left dx: Int) -> Box {
            bottom < top ? self : Box(top: top + dy, left: left + dx, bottom: bottom + dy, right: right + dx)
        }
        func intersects(_ other: Box) -> Bool {
            if bottom < top || other.bottom < other.top { return false }
            return !(other.left > right || other.right < left || other.top > bottom || other.bottom < top)
        }
    }
}

extension SceneComposer {
    /// Scenes for each split of `items` that `counts` names (e.g. train 10,000 from the
    /// train items, test 2,000 from the test items); split k draws from its own seed stream.
    public static func compose(items: DatasetSplits, counts: [String: Int], spec: SceneSpec, seed: UInt64) throws -> DatasetSplits {
        if let unknown = counts.keys.sorted().first(where: { items[$0] == nil }) {
            throw DataError.unknownSplit(name: unknown, known: items.names)
        }
        var result = DatasetSplits()
        for (k, name) in items.names.enumerated() {
            guard let count = counts[name] else { continue }
            guard count >= 0 else {
                throw DataError.invalidParameter(name: "scene count of `\(name)`", value: "\(count)", expected: "a count ≥ 0")
            }
            var random = SeededRandom(seed: seed, stream: UInt64(k) &+ 0x5343_454E_45)
            result[name] = try compose(items: items[name]!, count: count, spec: spec, seed: random.next())
        }
        return result
    }
}
