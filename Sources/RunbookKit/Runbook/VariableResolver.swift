import Foundation

/// Expands `${NAME}` and `$NAME` in variable defaults (`candlefish-${ENVIRONMENT}`).
///
/// Only ever applied to defaults from the front matter, never to command text: values reach commands as
/// environment variables, so a value like `x; rm -rf /` stays inert.
public enum VariableResolver {
    /// `template` with each `${NAME}` / `$NAME` that has a value in `values` replaced; unknown references and
    /// `\$` stay as written.
    public static func expand(_ template: String, values: [String: String]) -> String {
        guard template.utf8.contains(UInt8(ascii: "$")) else { return template }
        let bytes = Array(template.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "$") {
                output.append(UInt8(ascii: "$"))
                index += 2
                continue
            }
            guard byte == UInt8(ascii: "$"), index + 1 < bytes.count else {
                output.append(byte)
                index += 1
                continue
            }
            if bytes[index + 1] == UInt8(ascii: "{") {
                var end = index + 2
                while end < bytes.count, VariableReferences.isNameByte(bytes[end]) { end += 1 }
                let name = String(decoding: bytes[(index + 2)..<end], as: UTF8.self)
                if end < bytes.count, bytes[end] == UInt8(ascii: "}"), let value = values[name] {
                    output.append(contentsOf: value.utf8)
                    index = end + 1
                    continue
                }
            } else if VariableReferences.isNameStart(bytes[index + 1]) {
                var end = index + 1
                while end < bytes.count, VariableReferences.isNameByte(bytes[end]) { end += 1 }
                let name = String(decoding: bytes[(index + 1)..<end], as: UTF8.self)
                if let value = values[name] {
                    output.append(contentsOf: value.utf8)
                    index = end
                    continue
                }
            }
            output.append(byte)
            index += 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The value of every declared variable in `environment`: given values win, then per-environment defaults,
    /// then plain defaults, expanded in declaration order (a default may use `ENVIRONMENT` and earlier variables).
    public static func resolveDefaults(
        _ variables: [VariableSpec], environment: String, given: [String: String] = [:]
    ) -> [String: String] {
        var values = given
        values["ENVIRONMENT"] = values["ENVIRONMENT"] ?? environment
        for variable in variables where values[variable.name] == nil {
            if let template = variable.defaultValue(in: environment) {
                values[variable.name] = expand(template, values: values)
            }
        }
        return values
    }
}
