/// A dense matrix of examples × features, row-major, in single precision.
///
/// This is the currency of AssayLearn: features extracted from a network, a
/// selection of them, standardised copies. Labels and group ids travel beside
/// it as `[Int32]` with one entry per row.
public struct FeatureMatrix: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    /// Row-major values: element (i, j) is `values[i * columns + j]`.
    public var values: [Float]

    public init(rows: Int, columns: Int, values: [Float]) {
        precondition(rows >= 0 && columns >= 0 && values.count == rows * columns,
                     "FeatureMatrix: \(values.count) values for \(rows) × \(columns)")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// A matrix of zeros.
    public init(rows: Int, columns: Int) {
        self.init(rows: rows, columns: columns, values: [Float](repeating: 0, count: rows * columns))
    }

    /// Builds a matrix from an array of equally long rows.
    public init(rowArrays: [[Float]]) {
        let columns = rowArrays.first?.count ?? 0
        precondition(rowArrays.allSatisfy { $0.count == columns }, "FeatureMatrix: rows of unequal length")
        self.init(rows: rowArrays.count, columns: columns, values: rowArrays.flatMap { $0 })
    }

    public subscript(row: Int, column: Int) -> Float {
        get { values[row * columns + column] }
        set { values[row * columns + column] = newValue }
    }

    /// One row as an array.
    public func row(_ i: Int) -> [Float] {
        Array(values[(i * columns)..<((i + 1) * columns)])
    }

    /// The rows at `indices`, in that order (duplicates allowed).
    public func selectingRows(_ indices: [Int]) -> FeatureMatrix {
        var out = [Float](repeating: 0, count: indices.count * columns)
        values.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for (k, i) in indices.enumerated() {
                    precondition(i >= 0 && i < rows, "row index \(i) out of 0..<\(rows)")
                    for j in 0..<columns { dst[k * columns + j] = src[i * columns + j] }
                }
            }
        }
        return FeatureMatrix(rows: indices.count, columns: columns, values: out)
    }

    /// The columns at `indices`, in that order.
    public func selectingColumns(_ indices: [Int]) -> FeatureMatrix {
        precondition(indices.allSatisfy { $0 >= 0 && $0 < columns }, "column index out of 0..<\(columns)")
        var out = [Float](repeating: 0, count: rows * indices.count)
        let width = indices.count
        values.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for i in 0..<rows {
                    for (k, j) in indices.enumerated() { dst[i * width + k] = src[i * columns + j] }
                }
            }
        }
        return FeatureMatrix(rows: rows, columns: width, values: out)
    }

    /// Places `blocks` side by side (all with the same number of rows).
    public static func concatenatingColumns(_ blocks: [FeatureMatrix]) -> FeatureMatrix {
        guard let first = blocks.first else { return FeatureMatrix(rows: 0, columns: 0) }
        precondition(blocks.allSatisfy { $0.rows == first.rows }, "concatenatingColumns: blocks differ in row count")
        let width = blocks.reduce(0) { $0 + $1.columns }
        var out = [Float](repeating: 0, count: first.rows * width)
        var offset = 0
        for block in blocks {
            for i in 0..<first.rows {
                for j in 0..<block.columns { out[i * width + offset + j] = block.values[i * block.columns + j] }
            }
            offset += block.columns
        }
        return FeatureMatrix(rows: first.rows, columns: width, values: out)
    }
}
