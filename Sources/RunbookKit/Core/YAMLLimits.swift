import CYaml
import Foundation

/// The limits YAML is held to before Yams builds a tree from it: runbook front matter and every configuration file.
///
/// Yams resolves an alias by copying the anchored node, so a few hundred bytes of nested aliases (a "billion
/// laughs") become gigabytes, and Yams recurses once per level of nesting. libyaml's event parser
/// does neither: it is a state machine that reports an alias as one event. So the text is first walked as events,
/// in linear time and constant stack, and refused at the first alias or the first level past the limit.
public enum YAMLLimits {
    /// YAML longer than this (in bytes) is refused unread: front matter holds a title, a severity and variable
    /// declarations, a configuration file a few lists, and no real one comes near.
    public static let maximumSize = 64 * 1024

    /// The deepest nesting of mappings and lists allowed (`variables: NAME: default: env: value` is 4).
    public static let maximumDepth = 16

    /// Which limit a text goes past.
    public enum Refusal: Equatable, Sendable {
        case tooLarge(bytes: Int)
        case alias
        case tooDeep
    }

    /// The first limit `yaml` (whose first line is file line `firstLine`) goes past, and where; nil when it is
    /// within them, or when libyaml cannot parse it (Yams then says why, with its own message).
    static func check(_ yaml: Substring, firstLine: Int, path: String) -> (Refusal, SourceLocation)? {
        if yaml.utf8.count > maximumSize {
            return (.tooLarge(bytes: yaml.utf8.count), SourceLocation(file: path, line: firstLine))
        }
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return nil }
        defer { yaml_parser_delete(&parser) }
        var bytes = Array(yaml.utf8)
        if bytes.isEmpty { return nil }
        return bytes.withUnsafeMutableBufferPointer { buffer -> (Refusal, SourceLocation)? in
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
                    return (.alias, at)
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    depth += 1
                    if depth > maximumDepth { return (.tooDeep, at) }
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

    /// What `refusal` means, said of `what` ("front matter", "the file").
    static func message(_ refusal: Refusal, of what: String) -> String {
        switch refusal {
        case .tooLarge(let bytes): return "\(what) is \(bytes) bytes; the limit is \(maximumSize / 1024) KiB"
        case .alias: return "\(what) may not use YAML aliases (`*name`)"
        case .tooDeep: return "\(what) nests deeper than \(maximumDepth) levels"
        }
    }
}
