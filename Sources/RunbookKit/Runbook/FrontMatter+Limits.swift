import CYaml
import Foundation

/// The limits front matter is held to before Yams builds a tree from it.
///
/// Yams resolves an alias by copying the anchored node, so a few hundred bytes of nested aliases (a "billion
/// laughs") become gigabytes, and Yams recurses once per level of nesting. libyaml's event parser
/// does neither: it is a state machine that reports an alias as one event. So the text is first walked as events,
/// in linear time and constant stack, and refused at the first alias or the first level past the limit.
extension FrontMatter {
    /// Front matter longer than this (in bytes, between the `---` lines) is refused unread: it holds a title, a
    /// severity and variable declarations, and no real one comes near.
    public static let maximumSize = 64 * 1024

    /// The deepest nesting of mappings and lists front matter may have (`variables: NAME: default: env: value`
    /// is 4).
    public static let maximumDepth = 16

    /// The error for `yaml` (whose first line is file line `firstLine`) over the size, alias or depth limit; nil
    /// when it is within them, or when libyaml cannot parse it (Yams then says why, with its own message).
    static func preflight(_ yaml: Substring, firstLine: Int, path: String) -> Diagnostic? {
        if yaml.utf8.count > maximumSize {
            return .error(
                "front matter is \(yaml.utf8.count) bytes; the limit is \(maximumSize / 1024) KiB",
                at: SourceLocation(file: path, line: firstLine),
                hint: "front matter holds the title, severity and variables; put long text in the Markdown body")
        }
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return nil }
        defer { yaml_parser_delete(&parser) }
        var bytes = Array(yaml.utf8)
        if bytes.isEmpty { return nil }
        return bytes.withUnsafeMutableBufferPointer { buffer -> Diagnostic? in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var depth = 0
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else { return nil }
                defer { yaml_event_delete(&event) }
                let at = SourceLocation(
                    file: path, line: Int(event.start_mark.line) + firstLine, column: Int(event.start_mark.column) + 1)
                switch event.type {
                case YAML_ALIAS_EVENT:
                    return .error(
                        "front matter may not use YAML aliases (`*name`)", at: at,
                        hint: "write the value out in full; runbook front matter has no need for anchors")
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    depth += 1
                    if depth > maximumDepth {
                        return .error(
                            "front matter nests deeper than \(maximumDepth) levels", at: at,
                            hint: "front matter is keys, lists and variable declarations; flatten it")
                    }
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    depth -= 1
                case YAML_STREAM_END_EVENT:
                    return nil
                default:
                    break
                }
            }
        }
    }
}
