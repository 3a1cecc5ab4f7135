import AssayLearn
import AssaySupport
import Foundation

/// Timings of AssayLearn at the sizes a DFR / all-layer DFR experiment produces.
enum LearnBenchmarks {
    static func run(report: (_ name: String, _ value: Double, _ unit: String) -> Void) {
        let data = spuriousFeatures(rows: 2_000, columns: 1_024, seed: 1)

        let l1 = LogisticRegression(penalty: .l1, c: 0.1)
        report("learn.logreg_l1_fit_2000x1024_C0.1", seconds { _ = try? l1.fit(data.x, labels: data.labels) }, "s")
        let l1Weak = LogisticRegression(penalty: .l1, c: 1)
        report("learn.logreg_l1_fit_2000x1024_C1", seconds { _ = try? l1Weak.fit(data.x, labels: data.labels) }, "s")

        for threads in [1, 2] {
            let dfr = DeepFeatureReweighting(finalFits: 20, seed: 0, threads: threads)
            report("learn.dfr_recipe_2000x1024_7C_20fits_threads\(threads)",
                   seconds { _ = try? dfr.fit(data.x, labels: data.labels, groups: data.groups) }, "s")
        }

        // A Colored-Fashion-MNIST-sized held-out set: 10,000 examples, 50 % correlation.
        let large = spuriousFeatures(rows: 10_000, columns: 1_024, seed: 4, fractions: [0.25, 0.25, 0.25, 0.25])
        if let standardized = try? Standardizer.fit(large.x).apply(large.x) {
            for c in [0.1, 1.0] {
                let fit = LogisticRegression(penalty: .l1, c: c)
                report("learn.logreg_l1_fit_10000x1024_standardized_C\(c)", seconds { _ = try? fit.fit(standardized, labels: large.labels) }, "s")
            }
        }
        for threads in [1, 2] {
            let dfr = DeepFeatureReweighting(finalFits: 20, seed: 0, threads: threads)
            report("learn.dfr_recipe_10000x1024_balanced_7C_20fits_threads\(threads)",
                   seconds { _ = try? dfr.fit(large.x, labels: large.labels, groups: large.groups) }, "s")
        }

        let wide = spuriousFeatures(rows: 2_000, columns: 10_000, seed: 2)
        let selector = Head2ToeSelector(keepFraction: 0.1, seed: 0)
        var iterations = 0
        let h2t = seconds { iterations = (try? selector.select(wide.x, labels: wide.labels, groups: wide.groups))?.iterations ?? 0 }
        report("learn.head2toe_select_2000x10000", h2t, "s")
        report("learn.head2toe_select_2000x10000_iterations", Double(iterations), "count")

        var random = SeededRandom(seed: 3)
        let before = (0..<10_000).map { _ in Float(random.nextInt(below: 2_000)) }
        let after = before.map { $0 + Float(random.nextInt(below: 500)) }
        var tau = 0.0
        let kendall = seconds { for _ in 0..<10 { tau += KendallTau.tauB(before, after) } } / 10
        report("learn.kendall_tau_b_10000", kendall * 1e3, "ms")
    }

    private static func seconds(_ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// Features of a spurious-correlation task: 4 groups (label × attribute), sizes
    /// 45/5/5/45 % by default; the first 32 columns carry the label weakly, the next 32 the
    /// attribute strongly, the rest are correlated noise (shared factors, like CNN features).
    private static func spuriousFeatures(rows: Int, columns: Int, seed: UInt64, fractions: [Double] = [0.45, 0.05, 0.05, 0.45])
        -> (x: FeatureMatrix, labels: [Int32], groups: [Int32]) {
        var random = SeededRandom(seed: seed)
        var values = [Float](repeating: 0, count: rows * columns)
        var labels: [Int32] = [], groups: [Int32] = []
        let factors = 16
        let loadings = (0..<(factors * columns)).map { _ in random.nextNormal() * 0.3 }
        for i in 0..<rows {
            let u = Double(i) / Double(rows)
            var g = 0, cumulative = fractions[0]
            while u >= cumulative && g < 3 { g += 1; cumulative += fractions[g] }
            let y = g / 2, a = g % 2
            labels.append(Int32(y)); groups.append(Int32(g))
            let z = (0..<factors).map { _ in random.nextNormal() }
            for j in 0..<columns {
                var v = random.nextNormal()
                for f in 0..<factors { v += z[f] * loadings[f * columns + j] }
                if j < 32 { v += Float(2 * y - 1) * 0.4 } else if j < 64 { v += Float(2 * a - 1) * 1.5 }
                values[i * columns + j] = max(0, v)  // ReLU features are non-negative
            }
        }
        return (FeatureMatrix(rows: rows, columns: columns, values: values), labels, groups)
    }
}

