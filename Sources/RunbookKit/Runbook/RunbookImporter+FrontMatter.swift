import Foundation

extension RunbookImporter {
    /// A variable a placeholder became, with the prompt the session asks it by.
    struct NewVariable: Equatable {
        var name: String
        var prompt: String
    }

    /// Where declarations go in the front matter: appended, as text, to an existing `variables:` block, or a
    /// `variables:` block added before the closing `---`, or a front matter created at the top of the file.
    struct FrontMatterPlan {
        enum Place {
            /// No front matter: one is created.
            case none
            /// Front matter without `variables:`: the block goes before the closing line (0-based index).
            case beforeClosing(Int)
            /// A block-style `variables:` mapping: entries go after line `after`, indented by `indent`.
            case appending(after: Int, indent: String)
            /// A form that cannot be extended as text (`variables: {…}`, an unclosed front matter), at a file line.
            case cannotExtend(line: Int, reason: String)
        }

        var place: Place
        var ending: String

        init(lines: [Line], declared: Set<String>) {
            ending = RunbookImporter.dominantEnding(lines)
            guard let first = lines.first, first.text.trimmingCharacters(in: .whitespaces) == "---" else {
                place = .none
                return
            }
            guard
                let closing = lines.indices.dropFirst().first(where: {
                    lines[$0].text == "---" || lines[$0].text == "..."
                })
            else {
                place = .cannotExtend(line: 1, reason: "front matter is not closed")
                return
            }
            ending = lines[0].ending
            guard let key = (1..<closing).first(where: { lines[$0].text.hasPrefix("variables:") }) else {
                place = .beforeClosing(closing)
                return
            }
            var rest = lines[key].text.dropFirst("variables:".count).drop { $0 == " " || $0 == "\t" }
            if rest.hasPrefix("#") { rest = "" }
            guard rest.isEmpty else {
                place = .cannotExtend(
                    line: key + 1, reason: "front matter `variables:` is written inline: declare them by hand")
                return
            }
            var last = key
            var indent: String?
            var index = key + 1
            while index < closing {
                let text = lines[index].text
                let leading = text.prefix { $0 == " " || $0 == "\t" }
                if text.allSatisfy({ $0 == " " || $0 == "\t" }) {
                    index += 1
                    continue
                }
                guard !leading.isEmpty else { break }
                if indent == nil { indent = String(leading) }
                last = index
                index += 1
            }
            if let indent,
                indent.contains("\t") || lines[key + 1..<last + 1].contains(where: { $0.text.hasPrefix(indent + "- ") })
            {
                place = .cannotExtend(line: key + 1, reason: "front matter `variables:` is not a plain mapping")
                return
            }
            place = .appending(after: last, indent: indent ?? "  ")
        }

        /// Whether new variables can be declared.
        var canDeclare: Bool {
            if case .cannotExtend = place { return false }
            return true
        }

        /// The edit declaring `variables`, nil when there are none.
        func edit(adding variables: [NewVariable]) -> Edit? {
            guard !variables.isEmpty else { return nil }
            func entries(_ indent: String) -> [Line] {
                variables.map { Line(text: "\(indent)\($0.name): {prompt: \"\($0.prompt)\"}", ending: ending) }
            }
            switch place {
            case .none:
                return Edit(
                    start: 0, end: 0,
                    lines: [Line(text: "---", ending: ending), Line(text: "variables:", ending: ending)] + entries("  ")
                        + [Line(text: "---", ending: ending)])
            case .beforeClosing(let closing):
                return Edit(
                    start: closing, end: closing, lines: [Line(text: "variables:", ending: ending)] + entries("  "))
            case .appending(let after, let indent):
                return Edit(start: after + 1, end: after + 1, lines: entries(indent))
            case .cannotExtend:
                return nil
            }
        }
    }
}
