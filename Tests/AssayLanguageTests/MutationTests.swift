import AssayLanguage
import AssaySupport
import XCTest

/// Thousands of randomly corrupted experiments: the checker must never crash, and a file it
/// cannot turn into an experiment must always get at least one error.
final class MutationTests: XCTestCase {
    static let alphabet = Array("abcxyz019:-[]{},.&*!|>'\"#$ \n\t?<=@%é\u{0}".unicodeScalars).map { String($0) }

    static func mutate(_ text: String, _ random: inout SeededRandom) -> String {
        var lines = text.components(separatedBy: "\n")
        var chars = Array(text)
        switch random.nextInt(below: 8) {
        case 0 where !chars.isEmpty:
            chars.remove(at: random.nextInt(below: chars.count))
            return String(chars)
        case 1:
            chars.insert(contentsOf: alphabet[random.nextInt(below: alphabet.count)], at: random.nextInt(below: chars.count + 1))
            return String(chars)
        case 2 where !lines.isEmpty:
            lines.remove(at: random.nextInt(below: lines.count))
        case 3 where !lines.isEmpty:
            let i = random.nextInt(below: lines.count)
            lines.insert(lines[i], at: i)
        case 4 where lines.count > 1:
            let i = random.nextInt(below: lines.count), j = random.nextInt(below: lines.count)
            lines.swapAt(i, j)
        case 5 where !lines.isEmpty:
            let i = random.nextInt(below: lines.count)
            lines[i] = random.nextInt(below: 2) == 0 ? "  " + lines[i] : String(lines[i].drop { $0 == " " })
        case 6:
            // Replace a number or a word by another.
            let words = ["0", "-1", "2.5", "1e9", "conv1", "fmnist.test", "true", "[]", "{}", "null", "erm", "x"]
            if let range = text.range(of: #"[A-Za-z0-9.\-]+"#, options: .regularExpression, range: text.index(text.startIndex, offsetBy: random.nextInt(below: max(1, text.count)))..<text.endIndex) {
                return text.replacingCharacters(in: range, with: words[random.nextInt(below: words.count)])
            }
        default:
            let cut = random.nextInt(below: chars.count + 1)
            return String(chars[..<cut])
        }
        return lines.joined(separator: "\n")
    }

    func testCorruptedExperimentsNeverCrashAndInvalidOnesAlwaysGetAnError() throws {
        let names = ["colored-fmnist-dfr.yaml", "fv-attacks.yaml", "segmentation.yaml", "waterbirds-dfr.yaml"]
        let texts = try names.map(Repository.text)
        var random = SeededRandom(seed: 2024)
        var invalid = 0
        let count = 2000
        for i in 0..<count {
            let k = i % texts.count
            var text = texts[k]
            for _ in 0...random.nextInt(below: 3) { text = Self.mutate(text, &random) }
            let result = checkText(text, as: names[k])
            XCTAssertTrue(!result.experiments.isEmpty || result.hasErrors, "no experiment and no error for mutation \(i):\n\(text)")
            XCTAssertEqual(result.experiments.isEmpty, result.hasErrors)
            for d in result.diagnostics { XCTAssertTrue(DiagnosticCatalogue.ids.contains(d.id), "uncatalogued id \(d.id)") }
            if result.hasErrors { invalid += 1 }
        }
        XCTAssertGreaterThan(invalid, count / 4, "mutations should mostly break files")
    }
}
