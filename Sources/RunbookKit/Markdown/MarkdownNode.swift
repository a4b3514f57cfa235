import CCmarkGFM
import Foundation

/// A borrowed view of one node of a `MarkdownDocument`'s tree; valid while the document is alive.
public struct MarkdownNode {
    /// What a node is, as far as runbooks care.
    public enum Kind: Equatable {
        case document, heading, paragraph, codeBlock, htmlBlock, thematicBreak, blockQuote, list, item
        case text, code, softBreak, lineBreak, link, image, emphasis, strong, htmlInline
        case table, tableHeader, tableRow, tableCell, strikethrough
        /// Anything else cmark-gfm reports, by its type string.
        case other(String)
    }

    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) {
        self.pointer = pointer
    }

    /// The node's kind. Extension nodes (tables) are told apart by their type string, since their type
    /// constants are not in the public headers.
    public var kind: Kind {
        switch cmark_node_get_type(pointer) {
        case CMARK_NODE_DOCUMENT: return .document
        case CMARK_NODE_HEADING: return .heading
        case CMARK_NODE_PARAGRAPH: return .paragraph
        case CMARK_NODE_CODE_BLOCK: return .codeBlock
        case CMARK_NODE_HTML_BLOCK: return .htmlBlock
        case CMARK_NODE_THEMATIC_BREAK: return .thematicBreak
        case CMARK_NODE_BLOCK_QUOTE: return .blockQuote
        case CMARK_NODE_LIST: return .list
        case CMARK_NODE_ITEM: return .item
        case CMARK_NODE_TEXT: return .text
        case CMARK_NODE_CODE: return .code
        case CMARK_NODE_SOFTBREAK: return .softBreak
        case CMARK_NODE_LINEBREAK: return .lineBreak
        case CMARK_NODE_LINK: return .link
        case CMARK_NODE_IMAGE: return .image
        case CMARK_NODE_EMPH: return .emphasis
        case CMARK_NODE_STRONG: return .strong
        case CMARK_NODE_HTML_INLINE: return .htmlInline
        default:
            // Compare the C strings: making a Swift String for every extension node showed up in profiles.
            guard let name = cmark_node_get_type_string(pointer) else { return .other("") }
            if strcmp(name, "table") == 0 { return .table }
            if strcmp(name, "table_header") == 0 { return .tableHeader }
            if strcmp(name, "table_row") == 0 { return .tableRow }
            if strcmp(name, "table_cell") == 0 { return .tableCell }
            if strcmp(name, "strikethrough") == 0 { return .strikethrough }
            if strcmp(name, "tasklist") == 0 { return .item }
            return .other(String(cString: name))
        }
    }

    /// cmark-gfm's name for the node type (`paragraph`, `table_cell`, `tasklist`, …).
    public var typeString: String {
        cmark_node_get_type_string(pointer).map { String(cString: $0) } ?? ""
    }

    /// 1-based line where the node starts.
    public var startLine: Int { Int(cmark_node_get_start_line(pointer)) }
    /// 1-based column where the node starts.
    public var startColumn: Int { Int(cmark_node_get_start_column(pointer)) }
    /// 1-based line where the node ends (for a one-line HTML block cmark reports start − 1).
    public var endLine: Int { Int(cmark_node_get_end_line(pointer)) }

    /// The first child, if any.
    public var firstChild: MarkdownNode? { cmark_node_first_child(pointer).map(MarkdownNode.init) }
    /// The next sibling, if any.
    public var next: MarkdownNode? { cmark_node_next(pointer).map(MarkdownNode.init) }
    /// The previous sibling, if any.
    public var previous: MarkdownNode? { cmark_node_previous(pointer).map(MarkdownNode.init) }
    /// The parent, if any.
    public var parent: MarkdownNode? { cmark_node_parent(pointer).map(MarkdownNode.init) }

    /// The children, in order.
    public var children: [MarkdownNode] {
        var result: [MarkdownNode] = []
        var child = cmark_node_first_child(pointer)
        while let current = child {
            result.append(MarkdownNode(current))
            child = cmark_node_next(current)
        }
        return result
    }

    /// Text of text, code and code-block nodes.
    public var literal: String? { cmark_node_get_literal(pointer).map { String(cString: $0) } }

    /// The info string of a fenced code block, verbatim (`bash {id=check-pods}`).
    public var fenceInfo: String? { cmark_node_get_fence_info(pointer).map { String(cString: $0) } }

    /// Whether a code block is fenced (indented blocks are not steps).
    public var isFenced: Bool {
        // All three out-pointers must be given: cmark dereferences them unconditionally.
        var length: Int32 = 0
        var offset: Int32 = 0
        var character: CChar = 0
        return cmark_node_get_fenced(pointer, &length, &offset, &character) != 0
    }

    /// 1 to 6 for headings, 0 otherwise.
    public var headingLevel: Int { Int(cmark_node_get_heading_level(pointer)) }

    /// The destination of a link or image.
    public var url: String? { cmark_node_get_url(pointer).map { String(cString: $0) } }

    /// Whether a list is ordered (`1.`) rather than bulleted.
    public var isOrderedList: Bool { cmark_node_get_list_type(pointer) == CMARK_ORDERED_LIST }

    /// Whether this list item is a GFM task item (`- [ ]`).
    public var isTaskItem: Bool {
        guard let name = cmark_node_get_type_string(pointer) else { return false }
        return strcmp(name, "tasklist") == 0
    }

    /// Whether a task item is ticked (`- [x]`).
    public var isChecked: Bool { cmark_gfm_extensions_get_tasklist_item_checked(pointer) }

    /// The text a reader sees, without markup: inline code keeps its text, breaks become spaces.
    public var plainText: String {
        // Foundation's set, looked up scalar by scalar: `trimmingCharacters(in:)` gives the same text, but bridging
        // every string to NSString for it was a tenth of linting on Linux.
        let blank = Self.whitespacesAndNewlines
        let raw = rawPlainText
        let scalars = raw.unicodeScalars
        guard let first = scalars.firstIndex(where: { !blank.contains($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !blank.contains($0) })!
        return String(scalars[first...last])
    }

    private static let whitespacesAndNewlines = CharacterSet.whitespacesAndNewlines

    /// `plainText` without trimming, for joining sibling inline nodes (`, ` between two code spans).
    public var rawPlainText: String {
        // Gathered as bytes and decoded once: a String for every text node showed in `lint`'s profile.
        var output: [UInt8] = []
        appendPlainText(to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    private func appendPlainText(to output: inout [UInt8]) {
        switch kind {
        case .text, .code, .htmlInline, .codeBlock:
            if let literal = cmark_node_get_literal(pointer) {
                let count = strlen(literal)
                literal.withMemoryRebound(to: UInt8.self, capacity: count) {
                    output.append(contentsOf: UnsafeBufferPointer(start: $0, count: count))
                }
            }
        case .softBreak, .lineBreak:
            output.append(UInt8(ascii: " "))
        default:
            var child = cmark_node_first_child(pointer)
            var first = true
            while let current = child {
                let node = MarkdownNode(current)
                // Separate block children (paragraphs of an item) with a space.
                if !first, node.isBlock { output.append(UInt8(ascii: " ")) }
                node.appendPlainText(to: &output)
                first = false
                child = cmark_node_next(current)
            }
        }
    }

    /// Whether this is a block-level node (as opposed to inline content).
    public var isBlock: Bool {
        switch kind {
        case .paragraph, .heading, .codeBlock, .htmlBlock, .list, .item, .blockQuote, .thematicBreak, .table,
            .tableRow, .tableHeader:
            return true
        default: return false
        }
    }
}
