/// Class weights by median frequency balancing (Eigen & Fergus 2015, used by SegNet):
///
///     f_c = (pixels of class c) / (pixels of the images that contain class c)
///     w_c = median_c'(f_c') / f_c
///
/// The median is over the classes that occur at all. Void pixels are left out of both
/// counts (they carry no class). A class that never occurs gets weight 0: it has no
/// pixels to weight, and 0 keeps it from disturbing the loss if it appears later.
public enum MedianFrequencyWeights {
    /// `masks`: one label array per image; labels in `0..<classCount`, or `void`. Read once, in
    /// order, so a lazy sequence converts one image at a time.
    public static func compute<Masks: Sequence>(masks: Masks, classCount: Int, void: Int32? = nil) throws -> [Double] where Masks.Element == [Int32] {
        guard classCount >= 1 else {
            throw LearnError.invalidParameter(name: "classes", value: "\(classCount)", expected: "at least 1")
        }
        var classPixels = [Int](repeating: 0, count: classCount)
        var imagePixels = [Int](repeating: 0, count: classCount)
        var inImage = [Int](repeating: 0, count: classCount)
        for mask in masks {
            for c in 0..<classCount { inImage[c] = 0 }
            var counted = 0
            for label in mask {
                if let void, label == void { continue }
                guard label >= 0 && Int(label) < classCount else { throw LearnError.labelOutOfRange(label: label, classes: classCount) }
                inImage[Int(label)] += 1
                counted += 1
            }
            for c in 0..<classCount where inImage[c] > 0 {
                classPixels[c] += inImage[c]
                imagePixels[c] += counted
            }
        }
        let frequencies: [Double?] = (0..<classCount).map { c in
            imagePixels[c] == 0 ? nil : Double(classPixels[c]) / Double(imagePixels[c])
        }
        let present = frequencies.compactMap { $0 }.sorted()
        guard !present.isEmpty else { throw LearnError.empty(what: "segmentation masks (no labelled pixels)") }
        let middle = present.count / 2
        let median = present.count % 2 == 1 ? present[middle] : (present[middle - 1] + present[middle]) / 2
        return frequencies.map { f in f.map { median / $0 } ?? 0 }
    }
}
