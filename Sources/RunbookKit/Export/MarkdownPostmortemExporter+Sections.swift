import Foundation

/// The postmortem template's sections in Markdown: `PostmortemSections` rendered, each generated part between
/// `GeneratedBlock` markers so that `export --update` can rewrite it and keep what the author wrote around it.
extension MarkdownPostmortemExporter {
    /// The generated blocks a postmortem holds, in order: `export --update` expects exactly these in the file.
    public static func blockNames(drill: Bool) -> [String] {
        [
            "header", "metrics", "summary", "impact", "trigger", "detection", "resolution", "root-causes", "went-well",
            "went-badly", "lucky", "action-items", "key-moments", "timeline", "commands", "notes", "notifications",
            "escalation",
        ] + (drill ? ["debrief"] : []) + ["chain-head"]
    }

    /// One narrative section: its heading (the author's to keep), then its generated block.
    func section(_ section: PostmortemSections.Section, level: Int = 2, start: Date) -> String {
        var lines: [String] = section.entries.map { entry in "- " + self.entry(entry, start: start) }
        if let prompt = section.prompt {
            if !lines.isEmpty { lines.append("") }
            lines.append("_\(prompt)_")
        }
        return heading(section.title, level: level) + block(section.id, lines.joined(separator: "\n"))
    }

    /// `**18:05:00Z** (T+05:00) Text (actor)`, with what is known of the entry.
    private func entry(_ entry: PostmortemSections.Entry, start: Date) -> String {
        var text = ""
        if let time = entry.time {
            text += "**\(ExportFormatting.utc(time))** (\(ExportFormatting.sinceStart(time, start: start))) "
        }
        text += MarkdownText.paragraph(entry.text, indent: 2)
        if let actor = entry.actor { text += " (\(MarkdownText.inline(actor)))" }
        return text
    }

    /// `## Title` and the blank line after it.
    func heading(_ title: String, level: Int = 2) -> String {
        String(repeating: "#", count: level) + " " + title + "\n\n"
    }

    /// `content` between the markers of block `name`, and the blank line after it.
    func block(_ name: String, _ content: String) -> String {
        GeneratedBlock.begin(name) + "\n\n" + content + "\n\n" + GeneratedBlock.end(name) + "\n\n"
    }

    /// The action items table: item, owner, priority, ticket, who recorded it and when.
    func actionItems(_ sections: PostmortemSections, start: Date) -> String {
        guard !sections.actionItems.isEmpty else {
            return heading("Action items") + block("action-items", "_\(sections.actionItemsPrompt)_")
        }
        var lines = [
            MarkdownText.tableRow(["Action item", "Owner", "Priority", "Ticket", "Recorded"]), "|---|---|---|---|---|",
        ]
        for item in sections.actionItems {
            lines.append(
                MarkdownText.tableRow([
                    item.text, item.owner ?? "—", item.priority ?? "—", item.ticket ?? "—",
                    "\(item.actor), \(ExportFormatting.sinceStart(item.time, start: start))",
                ]))
        }
        lines += ["", "_Notes starting with `TODO:` or `action:` are listed too, without an owner._"]
        return heading("Action items") + block("action-items", lines.joined(separator: "\n"))
    }

    /// The timeline's key moments, before the full log.
    func keyMoments(_ sections: PostmortemSections, start: Date) -> String {
        var lines = [MarkdownText.tableRow(["UTC", "T+", "Actor", "Key moment"]), "|---|---|---|---|"]
        for moment in sections.keyMoments {
            let time = moment.time ?? start
            lines.append(
                MarkdownText.tableRow([
                    ExportFormatting.utc(time), ExportFormatting.sinceStart(time, start: start), moment.actor ?? "—",
                    moment.text,
                ]))
        }
        return heading("Key moments", level: 3) + block("key-moments", lines.joined(separator: "\n"))
    }

    /// Who was told what (`MarkdownNotifications`): so an escalation row in the timeline is not read as a page
    /// that was never sent.
    func notifications(_ report: IncidentReport) -> String {
        heading("Notifications", level: 3) + block("notifications", MarkdownNotifications.body(report))
    }

    /// The escalations the timers fired.
    func escalations(_ report: IncidentReport) -> String {
        var lines: [String] = []
        if report.metrics.escalations.isEmpty {
            lines.append("No escalations fired.")
        } else {
            lines.append(MarkdownText.tableRow(["UTC", "T+", "Level", "Targets", "Severity"]))
            lines.append("|---|---|---|---|---|")
            for escalation in report.metrics.escalations {
                lines.append(
                    MarkdownText.tableRow([
                        ExportFormatting.utc(escalation.time),
                        ExportFormatting.sinceStart(escalation.time, start: report.incident.declaredAt),
                        escalation.level.map(String.init) ?? "—",
                        escalation.targets.isEmpty ? "—" : escalation.targets.joined(separator: " + "),
                        escalation.severity?.rawValue ?? "—",
                    ]))
            }
        }
        return heading("Escalation", level: 3) + block("escalation", lines.joined(separator: "\n"))
    }
}
