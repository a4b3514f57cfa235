import CCmarkGFM
import Foundation

/// A Markdown document parsed by cmark-gfm with the `table` and `tasklist` extensions and source positions.
///
/// The document owns the cmark tree; the `MarkdownNode`s it hands out borrow it and are valid only while the
/// document is alive. That keeps parsing zero-copy: we read only the nodes a runbook needs.
public final class MarkdownDocument {
    /// The root (`document`) node.
    public let root: MarkdownNode
    private let pointer: OpaquePointer

    /// Parses `text` as GitHub Flavored Markdown.
    public convenience init(text: String) {
        var text = text
        self.init(pointer: text.withUTF8 { Self.parse($0) })
    }

    /// Parses UTF-8 bytes as GitHub Flavored Markdown. Invalid UTF-8 is replaced by cmark, never fatal.
    public convenience init(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        self.init(pointer: Self.parse(bytes))
    }

    private init(pointer: OpaquePointer) {
        self.pointer = pointer
        self.root = MarkdownNode(pointer)
    }

    deinit {
        // cmark-gfm frees a tree without recursion (it splices children onto a list), so a deep one is safe here.
        cmark_node_free(pointer)
    }

    /// The first node, in document order, more than `limit` levels below the root; found with the tree's parent
    /// and sibling links rather than recursion, so it is safe on any depth. Block quotes, list items and nested
    /// emphasis each add a level.
    public func firstNode(deeperThan limit: Int) -> MarkdownNode? {
        var node = pointer
        var depth = 0
        while true {
            if let child = cmark_node_first_child(node) {
                node = child
                depth += 1
                if depth > limit { return MarkdownNode(node) }
                continue
            }
            while cmark_node_next(node) == nil {
                guard depth > 0, let parent = cmark_node_parent(node) else { return nil }
                node = parent
                depth -= 1
            }
            guard depth > 0, let next = cmark_node_next(node) else { return nil }
            node = next
        }
    }

    /// Parses with the `table` and `tasklist` extensions and source positions.
    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> OpaquePointer {
        let extensions = Extensions.shared
        let parser = cmark_parser_new(CMARK_OPT_SOURCEPOS)!
        defer { cmark_parser_free(parser) }
        if let table = extensions.table { cmark_parser_attach_syntax_extension(parser, table) }
        if let tasklist = extensions.tasklist { cmark_parser_attach_syntax_extension(parser, tasklist) }
        bytes.withMemoryRebound(to: CChar.self) { chars in
            if let base = chars.baseAddress { cmark_parser_feed(parser, base, chars.count) }
        }
        // cmark_parser_finish allocates the document; it returns NULL only when out of memory.
        return cmark_parser_finish(parser)!
    }

    /// The GFM extensions, registered once per process (registration is not thread-safe; `static let` is).
    private struct Extensions: @unchecked Sendable {
        let table: OpaquePointer?
        let tasklist: OpaquePointer?

        static let shared: Extensions = {
            cmark_gfm_core_extensions_ensure_registered()
            return Extensions(
                table: cmark_find_syntax_extension("table"), tasklist: cmark_find_syntax_extension("tasklist"))
        }()
    }
}
