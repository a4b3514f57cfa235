import Foundation

extension RunbookImporter {
    /// What converting one file changed, and what it left for a person.
    public struct Summary: Sendable, Hashable {
        /// `$ ` prompts removed from command lines.
        public var promptsStripped = 0
        /// Blocks of sample output moved into a ```text block after their commands.
        public var sampleOutputsMarked = 0
        /// `<placeholder>`s replaced by variable references.
        public var placeholdersReplaced = 0
        /// The variables those placeholders became (declared now or already), in order of first use.
        public var variables: [String] = []
        /// `export X=$(…)` blocks left as written: `capture=X` is not exact (it trims surrounding whitespace and
        /// keeps a value only when the command succeeds; `$(…)` trims trailing newlines and `export` succeeds anyway).
        public var exportsLeft = 0
        /// Step ids written into fences.
        public var ids = 0
        /// Steps marked `risk=read`.
        public var readOnly = 0
        /// Variables the steps read that nothing declared, set or captured, now declared with a prompt.
        public var undeclaredDeclared = 0
        /// Their names.
        public var declaredNames: [String] = []
        /// Steps a destructive rule matches, marked `risk=destructive`.
        public var destructive = 0
        /// What was left as written because converting it could change what runs, by file line.
        public var needsHuman: [Note] = []

        /// Something left for a person, at a file line.
        public struct Note: Sendable, Hashable {
            public var line: Int
            public var message: String
        }

        /// A summary of nothing converted.
        public init() {}

        /// Whether anything was converted.
        public var changedAnything: Bool {
            promptsStripped + sampleOutputsMarked + placeholdersReplaced + undeclaredDeclared + ids + readOnly
                + destructive > 0
        }

        /// `3 prompts stripped, 2 sample outputs marked, …; needs a human: line 40 …`, or `unchanged`.
        public var description: String {
            var text = counts
            if !needsHuman.isEmpty {
                text +=
                    "; needs a human: "
                    + needsHuman.sorted { $0.line < $1.line }.map { "line \($0.line) \($0.message)" }
                    .joined(separator: "; ")
            }
            return text
        }

        /// `3 prompts stripped, 2 sample outputs marked, …`, or `unchanged`.
        public var counts: String { counts(naming: true) }

        /// The counts; with `naming`, the variables' names too (a total line leaves them out).
        public func counts(naming: Bool) -> String {
            var parts: [String] = []
            func add(_ count: Int, _ singular: String, _ plural: String) {
                if count > 0 { parts.append("\(count) \(count == 1 ? singular : plural)") }
            }
            add(promptsStripped, "prompt stripped", "prompts stripped")
            add(sampleOutputsMarked, "sample output marked", "sample outputs marked")
            if placeholdersReplaced > 0 {
                let count = variables.count
                parts.append(
                    "\(placeholdersReplaced) placeholder\(placeholdersReplaced == 1 ? "" : "s") → \(count) variable\(count == 1 ? "" : "s")"
                        + (naming ? " (\(variables.joined(separator: ", ")))" : "")
                )
            }
            if undeclaredDeclared > 0 {
                parts.append(
                    "\(undeclaredDeclared) undeclared variable\(undeclaredDeclared == 1 ? "" : "s") declared"
                        + (naming ? " (\(declaredNames.joined(separator: ", ")))" : ""))
            }
            add(exportsLeft, "export left as is (capture= is not exact)", "exports left as is (capture= is not exact)")
            add(ids, "id", "ids")
            add(readOnly, "risk=read", "risk=read")
            add(destructive, "risk=destructive", "risk=destructive")
            return parts.isEmpty ? "unchanged" : parts.joined(separator: ", ")
        }

        /// Adds `other`'s counts and variable names (for a total line); notes are not merged.
        public mutating func add(_ other: Summary) {
            for name in other.variables where !variables.contains(name) { variables.append(name) }
            destructive += other.destructive
            undeclaredDeclared += other.undeclaredDeclared
            for name in other.declaredNames where !declaredNames.contains(name) { declaredNames.append(name) }
            promptsStripped += other.promptsStripped
            sampleOutputsMarked += other.sampleOutputsMarked
            placeholdersReplaced += other.placeholdersReplaced
            exportsLeft += other.exportsLeft
            ids += other.ids
            readOnly += other.readOnly
        }
    }
}
