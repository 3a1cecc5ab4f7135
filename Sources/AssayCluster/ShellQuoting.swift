import Foundation

/// Quotes words for a POSIX shell script: the job scripts Assay writes run
/// under `/bin/sh`, and paths or stage ids must reach `assay` unchanged.
public enum ShellQuoting {
    /// `word` in single quotes, each `'` written as `'\''`; bare when it
    /// holds only characters no shell treats specially.
    public static func quote(_ word: String) -> String {
        let plain = !word.isEmpty && word.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-_./=:,+@%".unicodeScalars.contains(scalar))
        }
        if plain { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The words as one command line.
    public static func commandLine(_ words: [String]) -> String {
        words.map(quote).joined(separator: " ")
    }
}
