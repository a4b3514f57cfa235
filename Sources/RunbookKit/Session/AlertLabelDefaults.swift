import Foundation

/// The labels of the Alertmanager alert an incident is about, offered as defaults for its runbook's declared
/// variables (label `namespace` → variable `NAMESPACE`).
///
/// `runbook serve` records each alert of the incident's group as a `note.added` with `source: "alertmanager"` and
/// the alert as sent (`status`, `fingerprint`, `labels`, …); this is the one reader of those notes for sessions
/// (`runbook start --incident`, `runbook resume`). The latest note of each alert (by fingerprint) says whether it
/// still fires; of those that do, the one whose note is the most recent gives the labels. Resolved alerts give none.
///
/// Label values come from whoever can post to the webhook, so they are untrusted: one is offered only when it has
/// no control bytes (newlines and tabs included) and the variable's `choices` and `pattern` accept it, and never
/// for a secret variable. An accepted value is an answer like any other: recorded as `variable.set` and given to
/// commands as an environment variable, never as command text.
public struct AlertLabelDefaults: Sendable, Equatable {
    /// `source` of the notes `runbook serve`'s Alertmanager intake records.
    public static let noteSource = "alertmanager"

    /// A label offered as a variable's default.
    public struct Offer: Sendable, Equatable {
        /// The label's name as the alert has it (`namespace`).
        public var label: String
        /// Its value.
        public var value: String

        /// An offer of `value` from `label`.
        public init(label: String, value: String) {
            self.label = label
            self.value = value
        }
    }

    /// The labels of the incident's most recent firing alert; empty when none fires.
    public var labels: [String: String]

    /// Defaults from `labels`.
    public init(labels: [String: String] = [:]) {
        self.labels = labels
    }

    /// Reads the alert notes of `incidentID` from `store`.
    public static func read(incidentID: Int64, from store: any TranscriptStore) throws -> AlertLabelDefaults {
        var latest: [String: (sequence: Int64, firing: Bool, labels: [String: String])] = [:]
        try store.forEachEvent(incidentID: incidentID, types: [.noteAdded], hashes: false) { event in
            guard event.payload["source"]?.stringValue == noteSource, let alert = event.payload["alert"],
                let fingerprint = alert["fingerprint"]?.stringValue, let status = alert["status"]?.stringValue
            else { return }
            var labels: [String: String] = [:]
            if case .object(let members)? = alert["labels"] {
                for (name, value) in members {
                    if let text = value.stringValue { labels[name] = text }
                }
            }
            latest[fingerprint] = (event.sequence, status == "firing", labels)
        }
        let newest = latest.values.filter(\.firing).max { $0.sequence < $1.sequence }
        return AlertLabelDefaults(labels: newest?.labels ?? [:])
    }

    /// The label offered as `spec`'s default: the one whose name is the variable's in any case (`namespace` for
    /// `NAMESPACE`; an exact match first when two differ only in case), if its value is fit to offer. `nil` for a
    /// secret variable.
    public func offer(for spec: VariableSpec) -> Offer? {
        guard !spec.secret else { return nil }
        let wanted = spec.name.lowercased()
        let candidates = labels.keys.filter { $0.lowercased() == wanted }.sorted { left, right in
            (left == spec.name) != (right == spec.name) ? left == spec.name : left < right
        }
        guard let label = candidates.first, let value = labels[label], Self.isOfferable(value, for: spec) else {
            return nil
        }
        return Offer(label: label, value: value)
    }

    /// Whether `value` may be offered for `spec`: no control character at all (C0 with newline and tab, DEL, C1),
    /// no format character (a bidirectional override shows text other than it is) nor line separator, and
    /// accepted by the declaration.
    static func isOfferable(_ value: String, for spec: VariableSpec) -> Bool {
        let hidden = value.unicodeScalars.contains { scalar in
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator: return true
            default: return false
            }
        }
        return !hidden && spec.problem(with: value) == nil
    }
}
