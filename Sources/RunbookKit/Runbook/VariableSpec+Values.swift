import Foundation

extension VariableSpec {
    /// Why the declaration refuses `value` (a blank value, one outside `choices`, one `pattern` does not match),
    /// or `nil` when it accepts it: the one check of answers at the prompt, `set`, and alert labels offered as
    /// defaults.
    public func problem(with value: String) -> String? {
        if value.isEmpty { return "a value is required" }
        if !choices.isEmpty, !choices.contains(value) {
            return "choose one of \(choices.joined(separator: ", "))"
        }
        if let pattern {
            guard let regex = try? NSRegularExpression(pattern: "^(?:\(pattern))$") else {
                return "its pattern '\(pattern)' is not valid"
            }
            if regex.firstMatch(in: value, range: NSRange(value.startIndex..., in: value)) == nil {
                return "it must match \(pattern)"
            }
        }
        return nil
    }
}
