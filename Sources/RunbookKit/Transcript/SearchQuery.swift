import Foundation

/// A search as typed, split into words: what every backend's full-text search matches. Every word must occur; a
/// word ending in `*` matches as a prefix; nothing else has a meaning (operators and quotes are searched as the
/// words they contain), so text pasted from a shell (`kubectl -n prod`) is searched rather than rejected.
public struct SearchQuery: Sendable, Hashable {
    /// One word of the query.
    public struct Term: Sendable, Hashable {
        /// The word, without the `*` that makes it a prefix.
        public var word: String
        public var isPrefix: Bool
    }

    public var terms: [Term]

    /// The words of `text`; `nil` when nothing in it can be searched for (no letter or digit).
    public init?(_ text: String) {
        terms = text.split(whereSeparator: \.isWhitespace).compactMap { word -> Term? in
            var word = String(word)
            let prefix = word.hasSuffix("*")
            if prefix { word.removeLast() }
            guard word.contains(where: { $0.isLetter || $0.isNumber }) else { return nil }
            return Term(word: word, isPrefix: prefix)
        }
        if terms.isEmpty { return nil }
    }
}

/// What goes into the search index: the command of a `command.started` event, the text of a note, and the
/// ANSI-stripped start of each command's output. Both backends index exactly this.
public enum SearchDocument {
    /// Bytes of each command's output that go into the search index.
    public static let indexedOutputLimit = 1 << 20

    /// The kind and text an event adds to the index, if any.
    public static func of(_ draft: EventDraft) -> (kind: SearchHit.Kind, text: String)? {
        switch draft.type {
        case .commandStarted: return draft.payload["command"]?.stringValue.map { (.command, $0) }
        case .noteAdded: return draft.payload["text"]?.stringValue.map { (.note, $0) }
        default: return nil
        }
    }

    /// The text of new output chunks to index, given the bytes of the command's output stored before them
    /// (`storedBefore`, counted at most to `indexedOutputLimit`): search needs the words of an output, not every
    /// repetition of them, so past the limit output is stored but not indexed. `nil` when nothing is left to index.
    public static func outputText(_ chunks: [OutputChunk], storedBefore: Int) -> String? {
        let room = indexedOutputLimit - storedBefore
        guard room > 0 else { return nil }
        var head = Data()
        for chunk in chunks where head.count < room { head.append(chunk.data.prefix(room - head.count)) }
        let text = ANSIText.strip(head)
        return text.allSatisfy(\.isWhitespace) ? nil : text
    }
}
