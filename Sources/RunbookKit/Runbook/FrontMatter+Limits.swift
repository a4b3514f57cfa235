import Foundation

extension FrontMatter {
    /// Front matter's size limit in bytes (`YAMLLimits`).
    public static let maximumSize = YAMLLimits.maximumSize

    /// The error for `yaml` (whose first line is file line `firstLine`) over the size, alias or depth limit of
    /// `YAMLLimits`; nil when it is within them.
    static func preflight(_ yaml: Substring, firstLine: Int, path: String) -> Diagnostic? {
        guard let (refusal, at) = YAMLLimits.check(yaml, firstLine: firstLine, path: path) else { return nil }
        let hint: String
        switch refusal {
        case .tooLarge:
            hint = "front matter holds the title, severity and variables; put long text in the Markdown body"
        case .alias: hint = "write the value out in full; runbook front matter has no need for anchors"
        case .tooDeep: hint = "front matter is keys, lists and variable declarations; flatten it"
        }
        return .error(YAMLLimits.message(refusal, of: "front matter"), at: at, hint: hint)
    }
}
