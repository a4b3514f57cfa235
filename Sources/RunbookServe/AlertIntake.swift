import Crypto
import Foundation
import RunbookKit

/// Turns Alertmanager's notifications into incidents: a firing group (by `groupKey`) declares one incident, and
/// each later change of one of its alerts (a new alert, one resolved, one firing again) becomes a note on it.
///
/// The group's incident is found again by its `incident_key`, which is derived from the group key (and a
/// generation, so that the group firing again after its incident was resolved declares a new one). Every note
/// carries the alert's fingerprint and status, so a repeated notification records nothing new, and a
/// notification cut short by a failing store is completed by Alertmanager's retry. A resolved group is a note that
/// suggests `mitigated`: the incident is never closed from here.
public final class AlertIntake: @unchecked Sendable {
    /// What one notification did.
    public struct Outcome: Sendable, Equatable, Encodable {
        /// The group's incident, if it has one (a resolved group without an open incident has none).
        public var incident: Int64?
        /// Whether this notification declared it.
        public var declared: Bool
        /// How many notes it recorded.
        public var notes: Int

        /// An outcome with these values.
        public init(incident: Int64?, declared: Bool, notes: Int) {
            self.incident = incident
            self.declared = declared
            self.notes = notes
        }
    }

    /// Declares an incident (`IncidentDeclarer.declare`, as `runbook declare` does).
    public typealias Declare = @Sendable (IncidentDeclaration) throws -> Incident

    /// `source` of the notes this intake records: what sessions read back to offer the alert's labels as variable
    /// defaults (`AlertLabelDefaults`).
    public static let source = AlertLabelDefaults.noteSource

    let store: any TranscriptStore
    let configuration: ServeConfiguration
    let matcher: @Sendable () -> AlertRunbookMatcher
    let identity: ResponderIdentity
    let declare: Declare
    /// One notification at a time: the look-up of the group's incident and its declaration are not one transaction.
    private let lock = NSLock()
    /// The id of each group's open incident as last found (by key prefix; under `lock`), so that a repeated
    /// notification reads that one incident instead of every open one (Alertmanager re-sends each group again and
    /// again). The store stays the authority: an entry is used only while that incident is still open there.
    private var openIncidentIDs: [String: Int64] = [:]

    /// An intake recording into `store` as `identity`; `matcher` is asked for the runbooks at each declaration
    /// (so a runbook added while the service runs is found).
    public init(
        store: any TranscriptStore, configuration: ServeConfiguration, identity: ResponderIdentity,
        matcher: @escaping @Sendable () -> AlertRunbookMatcher, declare: @escaping Declare
    ) {
        self.store = store
        self.configuration = configuration
        self.identity = identity
        self.matcher = matcher
        self.declare = declare
    }

    /// Records what `webhook` changes.
    ///
    /// Another process (a second `runbook serve` on the same store) may declare the group's incident between this
    /// one's look-up and its declaration: the store then refuses the second declaration of the key, and the
    /// notification is recorded on the incident the other process declared.
    public func receive(_ webhook: AlertmanagerWebhook) throws -> Outcome {
        try lock.withLock {
            do {
                return try record(webhook)
            } catch TranscriptError.duplicateIncidentKey {
                return try record(webhook)
            }
        }
    }

    /// The `incident_key` prefix of a group's incidents.
    public static func keyPrefix(groupKey: String) -> String {
        "am-" + SHA256.hash(data: Data(groupKey.utf8)).prefix(12).map { String(format: "%02x", $0) }.joined() + "-"
    }

    private func record(_ webhook: AlertmanagerWebhook) throws -> Outcome {
        let prefix = Self.keyPrefix(groupKey: webhook.groupKey)
        let isGroups = { (incident: Incident) in incident.incidentKey?.hasPrefix(prefix) == true }
        var incident = try openIncident(prefix: prefix, isGroups)
        var declared = false
        let firing = webhook.alerts.filter { $0.status == .firing }
        if incident == nil {
            guard webhook.status == .firing, let lead = mostSevere(firing) else {
                return Outcome(incident: nil, declared: false, notes: 0)
            }
            // Counting only the group's closed incidents, two services that both found no open incident compute
            // the same key even when one of them declared in between (counting every incident, the second would
            // count the first's new incident and declare the group again under the next key): the store refuses
            // the second declaration of a key, and `receive` records the notification on the first.
            let generation =
                try store.incidents(openOnly: false, drillsOnly: false).filter {
                    isGroups($0) && ($0.status == .resolved || $0.status == .abandoned)
                }.count + 1
            let declaration = IncidentDeclaration(
                title: lead.title, runbook: runbook(for: firing) ?? "",
                environment: EnvironmentName.trimmed(configuration.environment(labels: lead.labels)),
                severity: configuration.severity(labels: lead.labels), host: identity.host, user: identity.user,
                incidentKey: prefix + String(generation))
            incident = try declare(declaration)
            openIncidentIDs[prefix] = incident?.id
            declared = true
        }
        guard let incident else { return Outcome(incident: nil, declared: false, notes: 0) }
        let notes = try recordChanges(webhook, incident: incident, declared: declared)
        return Outcome(incident: incident.id, declared: declared, notes: notes)
    }

    /// The group's open (or mitigated) incident: the one last found, while it is still open, else the newest open
    /// one with the group's key.
    private func openIncident(prefix: String, _ isGroups: (Incident) -> Bool) throws -> Incident? {
        if let id = openIncidentIDs[prefix], let incident = try store.incident(id),
            incident.status == .open || incident.status == .mitigated
        {
            return incident
        }
        let incident = try store.incidents(openOnly: true, drillsOnly: false).first(where: isGroups)
        openIncidentIDs[prefix] = incident?.id
        return incident
    }

    /// The first of the most severe alerts.
    private func mostSevere(_ alerts: [AlertmanagerWebhook.Alert]) -> AlertmanagerWebhook.Alert? {
        alerts.enumerated().min { left, right in
            let (a, b) = (
                configuration.severity(labels: left.element.labels),
                configuration.severity(labels: right.element.labels)
            )
            return a != b ? a < b : left.offset < right.offset
        }?.element
    }

    /// The runbook the first alert that names one names.
    private func runbook(for alerts: [AlertmanagerWebhook.Alert]) -> String? {
        let matcher = matcher()
        for alert in alerts {
            if let id = matcher.runbook(labels: alert.labels, annotations: alert.annotations) { return id }
        }
        return nil
    }

    /// The status last recorded of each alert of the incident, by fingerprint.
    private func recordedStatuses(incidentID: Int64) throws -> [String: AlertmanagerWebhook.Status] {
        var statuses: [String: AlertmanagerWebhook.Status] = [:]
        try store.forEachEvent(incidentID: incidentID, types: [.noteAdded], hashes: false) { event in
            guard event.payload["source"]?.stringValue == Self.source,
                let alert = event.payload["alert"], let fingerprint = alert["fingerprint"]?.stringValue,
                let status = alert["status"]?.stringValue.flatMap(AlertmanagerWebhook.Status.init(rawValue:))
            else { return }
            statuses[fingerprint] = status
        }
        return statuses
    }

    /// One note per alert whose status is new to the incident; with the last resolved alert of a resolved group,
    /// the suggestion to mark the incident mitigated.
    private func recordChanges(_ webhook: AlertmanagerWebhook, incident: Incident, declared: Bool) throws -> Int {
        var statuses = try recordedStatuses(incidentID: incident.id)
        var notes = 0
        for alert in webhook.alerts where statuses[alert.fingerprint] != alert.status {
            let previous = statuses[alert.fingerprint]
            // An alert resolved before the incident ever saw it fire tells the responder nothing.
            if previous == nil && alert.status == .resolved { continue }
            let text = noteText(alert, previous: previous, declared: declared, incident: incident)
            _ = try store.append(
                EventDraft(.noteAdded, payload: payload(text, alert: alert, webhook: webhook)), to: incident.id,
                actor: identity.actor, at: Date())
            statuses[alert.fingerprint] = alert.status
            notes += 1
        }
        if webhook.status == .resolved, notes > 0, statuses.values.allSatisfy({ $0 == .resolved }) {
            let text =
                "alert resolved: every alert of this group is resolved. The incident stays \(incident.status.rawValue): "
                + "when the impact is over, mark it mitigated (`mitigated` in `runbook resume \(incident.id)`)"
            _ = try store.append(
                EventDraft(
                    .noteAdded,
                    payload: [
                        "text": .string(text), "source": .string(Self.source),
                        "group_key": .string(webhook.groupKey), "suggests": "mitigated",
                    ]), to: incident.id, actor: identity.actor, at: Date())
            notes += 1
        }
        return notes
    }

    private func noteText(
        _ alert: AlertmanagerWebhook.Alert, previous: AlertmanagerWebhook.Status?, declared: Bool, incident: Incident
    ) -> String {
        switch (alert.status, previous) {
        case (.resolved, _): return "alert resolved: \(alert.title)"
        case (.firing, .resolved): return "alert firing again: \(alert.title)"
        case (.firing, _):
            var text = (declared ? "alert firing: " : "new alert in the group: ") + alert.title
            let severity = configuration.severity(labels: alert.labels)
            if severity.isMoreSevere(than: incident.severity) {
                text += " (its labels say \(severity.rawValue), the incident is \(incident.severity.rawValue))"
            }
            return text
        }
    }

    /// The note's payload: its text, and the alert as Alertmanager sent it, so that a session can offer its labels
    /// as variable defaults.
    private func payload(_ text: String, alert: AlertmanagerWebhook.Alert, webhook: AlertmanagerWebhook) -> JSONValue {
        func object(_ values: [String: String]) -> JSONValue { .object(values.mapValues { .string($0) }) }
        var members: [String: JSONValue] = [
            "status": .string(alert.status.rawValue), "fingerprint": .string(alert.fingerprint),
            "labels": object(alert.labels), "annotations": object(alert.annotations),
        ]
        if !alert.startsAt.isEmpty { members["starts_at"] = .string(alert.startsAt) }
        if !alert.generatorURL.isEmpty { members["generator_url"] = .string(alert.generatorURL) }
        return [
            "text": .string(text), "source": .string(Self.source), "group_key": .string(webhook.groupKey),
            "alert": .object(members),
        ]
    }
}
