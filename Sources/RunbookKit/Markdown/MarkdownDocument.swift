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
        cmark_node_free(pointer)
    }

    /// Held while cmark-gfm parses. Its inline parser keeps its special characters in a process-wide table that
    /// extensions add to and remove from as a parse runs (`cmark_inlines_add_special_character`), so parses are
    /// never run at the same time (the linter parses on several threads). The trees it returns are independent:
    /// reading them needs no lock.
    private static let parseLock = NSLock()

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> OpaquePointer {
        let extensions = Extensions.shared
        parseLock.lock()
        defer { parseLock.unlock() }
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
