import Foundation

/// The postmortem's sections in the HTML report, from the same `PostmortemSections` the Markdown export renders:
/// summary, impact, trigger, detection, resolution, causes; what went well, badly, and where we got lucky; the action
/// items; and the key moments before the full timeline.
extension HTMLReportExporter {
    func narrative(_ sections: PostmortemSections, start: Date, to out: inout ExportWriter) {
        for section in sections.narrative + sections.lessons { self.section(section, start: start, to: &out) }
    }

    private func section(_ section: PostmortemSections.Section, start: Date, to out: inout ExportWriter) {
        out.raw("<section id=\"\(HTMLText.escaped(section.id))\">\n<h2>\(HTMLText.escaped(section.title))</h2>\n")
        if !section.entries.isEmpty {
            out.raw("<ul class=\"entries\">")
            for entry in section.entries {
                out.raw("\n<li>")
                entryHTML(entry, start: start, to: &out)
                out.raw("</li>")
            }
            out.raw("\n</ul>\n")
        }
        if let prompt = section.prompt {
            out.raw("<p class=\"author\">\(HTMLText.escaped(prompt))</p>\n")
        }
        out.raw("</section>\n")
    }

    private func entryHTML(_ entry: PostmortemSections.Entry, start: Date, to out: inout ExportWriter) {
        if let time = entry.time {
            out.raw(
                "<strong>\(ExportFormatting.utc(time))</strong> (\(ExportFormatting.sinceStart(time, start: start))) ")
        }
        out.raw("<span class=\"text\">\(HTMLText.escaped(entry.text))</span>")
        if let actor = entry.actor { out.raw(" (\(HTMLText.escaped(actor)))") }
    }

    func actionItems(_ sections: PostmortemSections, start: Date, to out: inout ExportWriter) {
        out.raw("<section id=\"action-items\">\n<h2>Action items</h2>\n")
        guard !sections.actionItems.isEmpty else {
            out.raw("<p class=\"author\">\(HTMLText.escaped(sections.actionItemsPrompt))</p>\n</section>\n")
            return
        }
        out.raw("<table class=\"rows\">\n<thead><tr><th>Action item</th><th>Owner</th><th>Priority</th><th>Ticket</th>")
        out.raw("<th>Recorded</th></tr></thead>\n<tbody>")
        for item in sections.actionItems {
            let cells = [
                item.text, item.owner ?? "—", item.priority ?? "—", item.ticket ?? "—",
                "\(item.actor), \(ExportFormatting.sinceStart(item.time, start: start))",
            ]
            out.raw("\n<tr>")
            for (label, cell) in zip(["Action item", "Owner", "Priority", "Ticket", "Recorded"], cells) {
                out.raw("<td data-label=\"\(label)\">\(HTMLText.escaped(cell))</td>")
            }
            out.raw("</tr>")
        }
        out.raw("\n</tbody>\n</table>\n</section>\n")
    }

    func keyMoments(_ sections: PostmortemSections, start: Date, to out: inout ExportWriter) {
        out.raw("<section id=\"key-moments\">\n<h2>Key moments</h2>\n<ul class=\"entries\">")
        for moment in sections.keyMoments {
            out.raw("\n<li>")
            entryHTML(moment, start: start, to: &out)
            out.raw("</li>")
        }
        out.raw("\n</ul>\n</section>\n")
    }
}
