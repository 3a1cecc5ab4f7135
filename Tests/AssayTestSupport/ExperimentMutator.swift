import AssaySupport
import Foundation

/// Random corruptions of experiment files: deleted, inserted, duplicated, swapped and re-indented
/// lines, replaced words, truncation. Shared by the checker's mutation test and the language
/// server's (the same seeds give the same corrupted files).
public enum ExperimentMutator {
    public static let alphabet = Array("abcxyz019:-[]{},.&*!|>'\"#$ \n\t?<=@%é\u{0}".unicodeScalars).map { String($0) }

    public static func mutate(_ text: String, _ random: inout SeededRandom) -> String {
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
            let words = ["0", "-1", "2.5", "1e9", "conv1", "fmnist.test", "true", "[]", "{}", "null", "erm", "x",
                         "99999999999999999999", "9223372036854775807", "1e308", ".nan", "$seed", "${x}"]
            if let range = text.range(of: #"[A-Za-z0-9.\-]+"#, options: .regularExpression, range: text.index(text.startIndex, offsetBy: random.nextInt(below: max(1, text.count)))..<text.endIndex) {
                return text.replacingCharacters(in: range, with: words[random.nextInt(below: words.count)])
            }
        default:
            let cut = random.nextInt(below: chars.count + 1)
            return String(chars[..<cut])
        }
        return lines.joined(separator: "\n")
    }
}
