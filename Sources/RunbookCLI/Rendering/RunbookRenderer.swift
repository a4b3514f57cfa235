import Foundation
import RunbookKit

/// Renders a parsed runbook for `runbook show`: a header, the variables, then sections with their steps,
/// manual steps and choices in document order.
struct RunbookRenderer {
    let style: TerminalStyle

    func render(_ runbook: Runbook) -> String {
        var out = ""
        out += style.paint(runbook.title ?? runbook.id, .bold) + " (\(runbook.id))\n"
        var facts = ["file \(runbook.path)"]
        facts.append("severity \(runbook.severity?.rawValue ?? "-")")
        if !runbook.environments.isEmpty {
            facts.append("environments \(runbook.environments.joined(separator: ", "))")
        }
        facts.append("shell \(runbook.shell)")
        if let cwd = runbook.workingDirectory { facts.append("cwd \(cwd)") }
        let stepCount = runbook.stepCount
        facts.append("\(stepCount) step\(stepCount == 1 ? "" : "s")")
        out += style.paint(facts.joined(separator: " · "), .dim) + "\n"
        if !runbook.variables.isEmpty {
            out += "\n" + style.paint("Variables", .bold) + "\n"
            for variable in runbook.variables { out += "  " + describe(variable) + "\n" }
        }
        // Sections and items interleaved by line, so each item sits under its heading.
        enum Entry {
            case section(Section)
            case item(RunbookItem)
            var line: Int {
                switch self {
                case .section(let section): return section.location.line
                case .item(let item): return item.location.line
                }
            }
        }
        let entries = (runbook.sections.map(Entry.section) + runbook.items.map(Entry.item))
            .enumerated().sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }.map(\.element)
        // Every item is numbered as the REPL numbers it (`Runbook.stepNumber`).
        func number(_ id: String) -> String { "[\(runbook.stepNumber(of: id) ?? 0)/\(stepCount)]" }
        for entry in entries {
            switch entry {
            case .section(let section):
                out +=
                    "\n" + style.paint(String(repeating: "#", count: section.level) + " " + section.title, .bold) + "\n"
            case .item(.step(let step)):
                out += render(step, number: number(step.id))
            case .item(.manual(let manual)):
                out +=
                    "  \(number(manual.id)) \(manual.checked ? "[x]" : "[ ]") \(style.paint(manual.id, .cyan)): \(manual.text) (manual)\n"
            case .item(.choice(let choice)):
                out +=
                    "  \(number(choice.id)) \(style.paint(choice.id, .cyan)): choose\(choice.prompt.map { " — \($0)" } ?? "")\n"
                for (index, option) in choice.options.enumerated() {
                    out += "      \(index + 1). \(option.label) → \(option.target)"
                    if let detail = option.detail { out += " (\(detail))" }
                    out += "\n"
                }
            }
        }
        return out
    }

    private func describe(_ variable: VariableSpec) -> String {
        var parts = [style.paint(variable.name, .cyan)]
        if let prompt = variable.prompt { parts.append("\"\(prompt)\"") }
        if let value = variable.defaultValue { parts.append("default \(value)") }
        for environment in variable.defaultsByEnvironment.keys.sorted() {
            parts.append("\(environment): \(variable.defaultsByEnvironment[environment]!)")
        }
        if !variable.choices.isEmpty { parts.append("one of \(variable.choices.joined(separator: ", "))") }
        if let pattern = variable.pattern { parts.append("matching \(pattern)") }
        if variable.secret { parts.append("secret") }
        return parts.joined(separator: " · ")
    }

    private func render(_ step: Step, number: String) -> String {
        let attributes = step.attributes
        var facts = ["risk \(riskText(attributes.risk))"]
        if let timeout = attributes.timeout { facts.append("timeout \(Self.duration(timeout))") }
        if attributes.expect != [0] {
            facts.append("expect \(attributes.expect.sorted().map(String.init).joined(separator: ","))")
        }
        if let capture = attributes.capture { facts.append("capture \(capture)") }
        if attributes.interactive { facts.append("interactive") }
        if !attributes.environments.isEmpty { facts.append("env \(attributes.environments.joined(separator: ","))") }
        if let onFail = attributes.onFail { facts.append("on-fail \(onFail)") }
        if let cwd = attributes.cwd { facts.append("cwd \(cwd)") }
        if let name = attributes.name, name != step.id { facts.append("name \"\(name)\"") }
        if let shell = attributes.shell { facts.append("shell \(shell)") }
        if attributes.background { facts.append("background (starts detached; output recorded, not shown)") }
        if let promptEnv = attributes.promptEnv {
            facts.append("promptEnv \(promptEnv)" + (attributes.promptsForExports ? "" : " (off)"))
        }
        if !attributes.tags.isEmpty { facts.append("tag \(attributes.tags.joined(separator: ","))") }
        for attribute in attributes.recorded where attribute.key != "interpreter" {
            facts.append("\(attribute.key) \(attribute.value)")
        }
        var out = "  \(number) \(style.paint(step.id, .cyan)) · " + facts.joined(separator: " · ") + "\n"
        let indent = "        "
        // Control characters are shown in caret notation (`^[`), never obeyed by the terminal.
        if let guidance = step.guidance {
            out += indent + style.paint(ControlCharacters.visible(guidance), .dim) + "\n"
        }
        for line in ControlCharacters.visible(step.command).split(separator: "\n", omittingEmptySubsequences: false) {
            out += indent + "$ " + line + "\n"
        }
        if let expected = step.expectedOutput {
            for line in ControlCharacters.visible(expected).split(separator: "\n", omittingEmptySubsequences: false) {
                out += indent + style.paint("| " + line, .dim) + "\n"
            }
        }
        return out
    }

    private func riskText(_ risk: Risk) -> String {
        switch risk {
        case .read: return style.paint(risk.rawValue, .green)
        case .change: return style.paint(risk.rawValue, .yellow)
        case .destructive: return style.paint(risk.rawValue, .red)
        }
    }

    /// `30s`, `5m`, `1h30m`.
    static func duration(_ seconds: TimeInterval) -> String {
        var remaining = Int(seconds.rounded())
        var text = ""
        if remaining >= 3600 {
            text += "\(remaining / 3600)h"
            remaining %= 3600
        }
        if remaining >= 60 {
            text += "\(remaining / 60)m"
            remaining %= 60
        }
        if remaining > 0 || text.isEmpty { text += "\(remaining)s" }
        return text
    }
}
