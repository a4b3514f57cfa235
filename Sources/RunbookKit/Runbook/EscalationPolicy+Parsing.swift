import Foundation

/// A problem in the escalation runbook (`escalation.md`): a missing table or a row that does not parse.
public struct EscalationPolicyError: UserFacingError, Sendable {
    public var summary: String
    public var location: SourceLocation?
    public var hint: String?
    /// Unreadable input: exit 2.
    public var exitStatus: ExitStatus { .usage }

    public init(_ diagnostic: Diagnostic) {
        summary = diagnostic.message
        location = diagnostic.location
        hint = diagnostic.hint
    }
}

extension EscalationPolicy {
    /// The columns of the escalation matrix, in the order the linter names them.
    public static let matrixColumns = ["Severity", "Description", "Response Time", "Escalation"]
    /// The columns of the contacts table.
    public static let contactColumns = ["Role", "Contact", "Availability"]

    /// Reads the matrix, contacts and channels from a parsed `escalation.md`; throws on the first bad row.
    public init(parsing runbook: Runbook) throws {
        let (policy, diagnostics) = Self.parse(runbook)
        if let first = diagnostics.first(where: { $0.severity == .error }) { throw EscalationPolicyError(first) }
        self = policy!
    }

    /// Reads what it can and reports every problem, for the linter. The policy is `nil` without a matrix.
    public static func parse(_ runbook: Runbook) -> (policy: EscalationPolicy?, diagnostics: [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        func has(_ table: MarkdownTable, _ columns: [String]) -> Bool {
            columns.allSatisfy { column in table.header.contains { $0.caseInsensitiveCompare(column) == .orderedSame } }
        }
        guard let matrix = runbook.tables.first(where: { has($0, ["Severity", "Response Time", "Escalation"]) }) else {
            diagnostics.append(
                .error(
                    "no escalation matrix table in \(runbook.path)",
                    at: SourceLocation(file: runbook.path, line: 1),
                    hint: "add a table with the columns \(matrixColumns.joined(separator: " | "))"))
            return (nil, diagnostics)
        }
        var rules: [EscalationRule] = []
        for row in matrix.rows {
            let severityText = matrix.cell(row, column: "Severity") ?? ""
            let responseText = matrix.cell(row, column: "Response Time") ?? ""
            let targetsText = matrix.cell(row, column: "Escalation") ?? ""
            guard let severity = Severity(parsing: severityText) else {
                diagnostics.append(
                    .error(
                        "escalation row has severity `\(severityText)`, not P0, P1, P2 or P3", at: row.location,
                        hint: "the first column is the severity: | P1 | Partial outage | 30 minutes | DevOps Lead |"))
                continue
            }
            guard let responseTime = ResponseTime(parsing: responseText) else {
                diagnostics.append(
                    .error(
                        "response time `\(responseText)` of \(severity.rawValue) is not a duration", at: row.location,
                        hint: "write e.g. `15 minutes`, `2 hours` or `1 business day`"))
                continue
            }
            let targets = targetsText.split(separator: "+").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
            if targets.isEmpty {
                diagnostics.append(
                    .error(
                        "\(severity.rawValue) escalates to nobody", at: row.location,
                        hint: "name who is paged, joined with `+`: CTO + On-call"))
                continue
            }
            if rules.contains(where: { $0.severity == severity }) {
                diagnostics.append(
                    .error(
                        "\(severity.rawValue) appears twice in the escalation matrix", at: row.location,
                        hint: "keep one row per severity"))
                continue
            }
            rules.append(
                EscalationRule(
                    severity: severity, description: matrix.cell(row, column: "Description") ?? "",
                    responseTime: responseTime, targets: targets))
        }
        var contacts: [Contact] = []
        if let table = runbook.tables.first(where: { has($0, contactColumns) }) {
            for row in table.rows {
                let role = table.cell(row, column: "Role") ?? ""
                let contact = table.cell(row, column: "Contact") ?? ""
                guard !role.isEmpty, !contact.isEmpty else {
                    diagnostics.append(
                        .error(
                            "contact row needs a role and a contact", at: row.location,
                            hint: "| On-Call Engineer | alerts@candlefish.ai | 24/7 |"))
                    continue
                }
                contacts.append(
                    Contact(role: role, contact: contact, availability: table.cell(row, column: "Availability") ?? ""))
            }
        }
        return (
            EscalationPolicy(rules: rules, contacts: contacts, channels: channels(in: runbook)), diagnostics
        )
    }

    /// The items of the first list under a heading containing "Communication Channels".
    private static func channels(in runbook: Runbook) -> [String] {
        guard
            let index = runbook.sections.firstIndex(where: {
                $0.title.range(of: "Communication Channels", options: .caseInsensitive) != nil
            })
        else { return [] }
        let start = runbook.sections[index].location.line
        let end =
            runbook.sections[(index + 1)...].first { $0.level <= runbook.sections[index].level }?.location.line
            ?? Int.max
        let list = runbook.lists.first { list in
            guard let line = list.first?.location.line else { return false }
            return line > start && line < end
        }
        return list?.map(\.text) ?? []
    }
}
