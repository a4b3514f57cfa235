import Foundation

/// Where a link points: another runbook (optionally at a heading), a heading or a step of this one.
///
/// Every target a runbook or a responder writes is read by `LinkTarget.parse(_:as:)` and nowhere else: the
/// destination of a Markdown link in a choice, `on-fail=`, and the REPL's `goto` and `open`. The linter, the
/// session and the REPL all get the same typed target or the same `LinkTargetError`.
public enum LinkTarget: Sendable, Hashable, CustomStringConvertible {
    /// `outage.md`, `helpers/podDebug.md#rollback`: the runbook's path as written, without `.md`, and an optional
    /// anchor. In a Markdown link or `on-fail=` the path is relative to the linking file (`../common/x` works);
    /// typed at `open`, it is an id in the runbooks directory (`alerts/etcd/EtcdDown`, or a unique `EtcdDown`).
    case runbook(id: String, anchor: String?)
    /// `#check-pods`: an anchor in the same runbook.
    case heading(anchor: String)
    /// `check-pods` in `on-fail=` or `goto`: a step id in the same runbook.
    case step(id: String)
    /// Anything else in a Markdown link (`https://…`): not navigable by the REPL.
    case external(String)

    /// What is being read, which decides what a bare word means.
    public enum Context: Sendable {
        /// The destination of a Markdown link: a bare word or URL is external.
        case markdownLink
        /// `on-fail=` and `goto`: a bare word is a step id.
        case stepOrLink
        /// `open`: a bare word is a runbook id (`.md` optional).
        case runbook
    }

    public var description: String {
        switch self {
        case .runbook(let id, let anchor): return anchor.map { "\(id).md#\($0)" } ?? "\(id).md"
        case .heading(let anchor): return "#\(anchor)"
        case .step(let id): return id
        case .external(let url): return url
        }
    }

    /// Reads `text` as a target: `other.md`, `other.md#anchor`, `#anchor`, or (by `context`) a step id, a
    /// runbook id or an external link.
    ///
    /// `other.md#` and `#` (an empty anchor) are errors rather than "the top of the file": a runbook that means
    /// the top writes `other.md`, and an anchor that was cut off is more likely a mistake than a wish.
    public static func parse(_ text: String, as context: Context) -> Result<LinkTarget, LinkTargetError> {
        let utf8 = text.utf8
        func failure(_ reason: LinkTargetError.Reason) -> Result<LinkTarget, LinkTargetError> {
            .failure(LinkTargetError(target: text, reason: reason))
        }
        guard !utf8.isEmpty else { return failure(.empty) }
        if utf8.first == UInt8(ascii: "#") {
            if context == .runbook { return failure(.notARunbook) }
            return utf8.count == 1 ? failure(.emptyAnchor) : .success(.heading(anchor: String(text.dropFirst())))
        }
        let isExternal = text.contains("://") || text.hasPrefix("mailto:")
        let hash = utf8.firstIndex(of: UInt8(ascii: "#"))
        let file = text[..<(hash ?? utf8.endIndex)]
        let nameStart = file.utf8.lastIndex(of: UInt8(ascii: "/")).map(utf8.index(after:)) ?? file.startIndex
        let name = text[nameStart..<file.endIndex]
        if !isExternal, hasMarkdownExtension(name.utf8) {
            guard name.utf8.count > 3 else { return failure(.emptyRunbookName) }
            var path = Substring(String(file.utf8.dropLast(3))!)
            while path.hasPrefix("./") { path = path.dropFirst(2) }
            let id = String(path)
            guard let hash else { return .success(.runbook(id: id, anchor: nil)) }
            let anchorStart = utf8.index(after: hash)
            guard anchorStart != utf8.endIndex else { return failure(.emptyAnchor) }
            return .success(.runbook(id: id, anchor: String(text[anchorStart...])))
        }
        let isWord = !isExternal && hash == nil && !text.contains(where: \.isWhitespace)
        switch context {
        case .markdownLink:
            return .success(.external(text))
        case .stepOrLink:
            return isWord && !text.contains("/") ? .success(.step(id: text)) : failure(.notAStepOrLink)
        case .runbook:
            // `alerts/etcd/EtcdDown`: an id may have directories.
            return isWord ? .success(.runbook(id: text, anchor: nil)) : failure(.notARunbook)
        }
    }

    /// Whether a file name ends in `.md`, any case, compared as bytes (a combining mark after `d` still counts).
    private static func hasMarkdownExtension(_ name: Substring.UTF8View) -> Bool {
        func folded(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte + 32 : byte }
        return name.count >= 3 && zip(name.suffix(3), ".md".utf8).allSatisfy { folded($0) == $1 }
    }
}

/// Why a target cannot be followed, for the person who wrote it.
public struct LinkTargetError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong with the target.
    public enum Reason: Sendable, Hashable {
        /// Nothing was given.
        case empty
        /// `other.md#` or `#`: the anchor after `#` is missing.
        case emptyAnchor
        /// `.md` or `dir/.md`: no runbook name before `.md`.
        case emptyRunbookName
        /// Not a step id, `#heading` or `other.md[#heading]` (`on-fail=`, `goto`).
        case notAStepOrLink
        /// Not a runbook id or `other.md` (`open`).
        case notARunbook
    }

    /// The target as written.
    public var target: String
    public var reason: Reason

    public init(target: String, reason: Reason) {
        self.target = target
        self.reason = reason
    }

    /// What is wrong, naming the target.
    public var message: String {
        let shown = ControlCharacters.visible(target)
        switch reason {
        case .empty: return "the target is empty"
        case .emptyAnchor: return "target `\(shown)` has nothing after `#`"
        case .emptyRunbookName: return "target `\(shown)` has no runbook name before `.md`"
        case .notAStepOrLink: return "target `\(shown)` is not a step id, `#heading` or `other.md`"
        case .notARunbook: return "target `\(shown)` is not a runbook"
        }
    }

    /// What to write instead.
    public var hint: String {
        switch reason {
        case .empty, .notAStepOrLink: return "write a step id, `#heading`, `other.md` or `other.md#heading`"
        case .emptyAnchor: return "write `other.md` for the top of a runbook, or `other.md#heading` for a heading"
        case .emptyRunbookName: return "write the runbook's file name: `other.md`"
        case .notARunbook: return "write a runbook id or file name: `outage` or `outage.md`"
        }
    }

    public var description: String { message }
}
