extension ImageDataset {
    /// Median-frequency class weights for segmentation (Eigen and Fergus, 2015; SegNet):
    ///
    ///     f_c = (pixels of class c) / (pixels of the images that contain c)
    ///     w_c = median_k(f_k) / f_c
    ///
    /// The median runs over classes that occur; a class that never occurs gets
    /// weight 0. Void pixels count towards neither numerator nor denominator.
    /// Returns nil for a data set without masks.
    public func medianFrequencyClassWeights() -> [Float]? {
        guard let masks else { return nil }
        let classes = masks.classNames.count, plane = shape.planeCount
        var classPixels = [Int](repeating: 0, count: classes)
        var containingPixels = [Int](repeating: 0, count: classes)
        var perImage = [Int](repeating: 0, count: 256)
        masks.pixels.withUnsafeBufferPointer { px in
            for i in 0 ..< count {
                for k in perImage.indices { perImage[k] = 0 }
                for p in 0 ..< plane { perImage[Int(px[i * plane + p])] += 1 }
                let labelled = plane - (masks.voidLabel.map { perImage[Int($0)] } ?? 0)
                for c in 0 ..< classes where perImage[c] > 0 && UInt8(c) != masks.voidLabel {
                    classPixels[c] += perImage[c]
                    containingPixels[c] += labelled
                }
            }
        }
        let frequencies = (0 ..< classes).map { containingPixels[$0] > 0 ? Double(classPixels[$0]) / Double(containingPixels[$0]) : 0 }
        let present = frequencies.filter { $0 > 0 }.sorted()
        guard !present.isEmpty else { return [Float](repeating: 0, count: classes) }
        let median = present.count % 2 == 1 ? present[present.count / 2] : (present[present.count / 2 - 1] + present[present.count / 2]) / 2
        return frequencies.map { $0 > 0 ? Float(median / $0) : 0 }
    }
}
