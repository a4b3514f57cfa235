import Foundation
import Yams

/// The one way configuration files (notifiers.yaml, environments.yaml, destructive.yaml, drill scenarios) are
/// composed: Yams, with a syntax error turned into the problem and its file:line:col.
enum YAMLText {
    /// A YAML syntax error where it is.
    struct SyntaxError: Error {
        var problem: String
        var location: SourceLocation
    }

    /// The document's root node (`nil` for an empty document). The same size, alias and nesting limits as front
    /// matter apply first, so a YAML alias bomb in a configuration file is refused before Yams expands it.
    static func compose(_ text: String, path: String) throws(SyntaxError) -> Node? {
        if let diagnostic = FrontMatter.preflight(Substring(text), firstLine: 1, path: path) {
            let problem = diagnostic.message.replacingOccurrences(of: "front matter", with: "the file")
            throw SyntaxError(problem: problem, location: diagnostic.location)
        }
        do {
            return try Yams.compose(yaml: text)
        } catch let error as YamlError {
            switch error {
            case .scanner(_, let message, let mark, _), .parser(_, let message, let mark, _),
                .composer(_, let message, let mark, _):
                throw SyntaxError(
                    problem: message, location: SourceLocation(file: path, line: mark.line, column: mark.column))
            default:
                throw SyntaxError(problem: "\(error)", location: SourceLocation(file: path, line: 1))
            }
        } catch {
            throw SyntaxError(problem: "\(error)", location: SourceLocation(file: path, line: 1))
        }
    }

    /// Where `node` is, or line 1 of the file.
    static func location(_ node: Node?, path: String) -> SourceLocation {
        node?.mark.map { SourceLocation(file: path, line: $0.line, column: $0.column) }
            ?? SourceLocation(file: path, line: 1)
    }
}
