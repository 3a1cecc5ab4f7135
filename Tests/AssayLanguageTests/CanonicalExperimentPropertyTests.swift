import AssayLanguage
import AssaySupport
import AssaySyntax
import XCTest

/// Reordering mapping keys, adding comments and respelling numbers must leave the checked experiment byte-identical.
final class CanonicalExperimentPropertyTests: XCTestCase {
    /// Re-emits a YAML tree in block style with shuffled keys, random comments and respelt floats.
    struct Scrambler {
        var random: SeededRandom

        mutating func emit(_ node: YAMLNode, indent: Int) -> String {
            let pad = String(repeating: " ", count: indent)
            switch node.kind {
            case .scalar(let s, let style):
                return scalar(s, style)
            case .sequence(let items):
                if items.isEmpty { return "[]" }
                return "\n" + items.map { item -> String in
                    let body = emit(item, indent: indent + 2)
                    return pad + "-" + (body.hasPrefix("\n") ? body : " " + body) + comment()
                }.joined(separator: "\n")
            case .mapping(let pairs):
                if pairs.isEmpty { return "{}" }
                var shuffled = pairs
                random.shuffle(&shuffled)
                return "\n" + shuffled.map { pair -> String in
                    let body = emit(pair.value, indent: indent + 2)
                    return pad + (pair.key.scalar ?? "") + ":" + (body.hasPrefix("\n") ? body : " " + body) + comment()
                }.joined(separator: "\n")
            }
        }

        mutating func comment() -> String { random.nextInt(below: 4) == 0 ? "   # note \(random.nextInt(below: 100))" : "" }

        mutating func scalar(_ s: String, _ style: ScalarStyle) -> String {
            guard style == .plain else { return "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
            if s.contains("."), !s.contains("e"), let d = Double(s), d.isFinite, d != 0, random.nextInt(below: 2) == 0 {
                let exponent = Int(floor(log10(abs(d))))
                let mantissa = d / pow(10, Double(exponent))
                let text = "\(mantissa)e\(exponent)"
                if Double(text) == d { return text }
            }
            if s.hasPrefix("1e-"), let d = Double(s) { return String(d) }
            return s
        }
    }

    func canonical(_ result: CheckResult) -> [String] { result.experiments.map(\.canonical.canonicalString) }

    func testReorderingCommentsAndNumberSpellingLeaveTheExperimentUnchanged() throws {
        for name in ["colored-fmnist-dfr.yaml", "fv-attacks.yaml", "segmentation.yaml", "dfr-sweep.yaml", "waterbirds-dfr.yaml"] {
            let text = try Repository.text(name)
            let original = checkText(text, as: name)
            XCTAssertFalse(original.experiments.isEmpty, name)
            let tree = try XCTUnwrap(YAMLParser.parse(SourceFile(path: name, text: text)).root)
            for seed in 0..<8 {
                var scrambler = Scrambler(random: SeededRandom(seed: UInt64(seed)))
                let variant = "# scrambled\n" + scrambler.emit(tree, indent: 0).dropFirst() + "\n"
                let result = checkText(variant, as: name)
                XCTAssertEqual(result.diagnostics.map(\.message), [], "\(name) seed \(seed):\n\(variant)")
                XCTAssertTrue(canonical(result) == canonical(original), "\(name) seed \(seed) changed the canonical experiment")
            }
        }
    }

    func testChangingAValueChangesTheCanonicalExperiment() throws {
        let text = try Repository.text("colored-fmnist-dfr.yaml")
        let a = checkText(text, as: "colored-fmnist-dfr.yaml")
        let b = checkText(text.replacingOccurrences(of: "lr: 1e-3", with: "lr: 2e-3"), as: "colored-fmnist-dfr.yaml")
        XCTAssertTrue(canonical(a) != canonical(b))
        XCTAssertEqual(a.experiments[0].stage("datasets.bordered.derive"), b.experiments[0].stage("datasets.bordered.derive"))
        XCTAssertNotEqual(a.experiments[0].stage("erm"), b.experiments[0].stage("erm"))
    }

    func testIntegerAndFloatSpellingsOfAFloatParameterAgree() {
        let base = "assay: 1\ndatasets:\n  f: { fashion-mnist: {} }\nmodels:\n  m: { small-cnn: {} }\nstages:\n  t: { train: { model: m, data: f.train, lr: LR } }\n"
        let results = ["1", "1.0", "1e0", "10e-1"].map { checkText(base.replacingOccurrences(of: "LR", with: $0)) }
        let stages = results.map { $0.experiments.first?.stage("t")?.parameters["lr"] }
        XCTAssertEqual(Set(stages.map { $0?.canonicalString }), ["1.0"])
    }
}
