import Foundation

/// Someone to page, as the matrix names them, with the contact row it resolved to (if any).
///
/// The matrix says `CTO + On-call`; the contacts table says `On-Call Engineer | alerts@candlefish.ai`.
/// A target that matches no contact row (`CTO`) is kept by name and marked unresolved, never dropped.
public struct EscalationTarget: Sendable, Hashable, Codable {
    /// The target as written in the matrix (`On-call`).
    public var name: String
    /// The contact row's role it resolved to (`On-Call Engineer`), or `nil`.
    public var role: String?
    /// The contact address (`alerts@candlefish.ai`), or `nil` when unresolved.
    public var contact: String?
    /// The contact row's availability (`24/7`), or `nil`.
    public var availability: String?

    public init(name: String, role: String? = nil, contact: String? = nil, availability: String? = nil) {
        self.name = name
        self.role = role
        self.contact = contact
        self.availability = availability
    }

    /// Whether the target matched a row of the contacts table.
    public var isResolved: Bool { contact != nil }

    /// Identity used to tell whether someone was already paged: the contact when known, else the name.
    public var identity: String { contact?.lowercased() ?? EscalationTarget.words(name).joined(separator: " ") }

    /// `On-Call Engineer <alerts@candlefish.ai>`, or `CTO (not in the contacts table)`.
    public var displayName: String {
        if let contact { return "\(role ?? name) <\(contact)>" }
        return "\(name) (not in the contacts table)"
    }

    /// The target as a JSON object for event payloads and notifications.
    public var json: JSONValue {
        var members: [String: JSONValue] = ["name": .string(name), "resolved": .bool(isResolved)]
        if let role { members["role"] = .string(role) }
        if let contact { members["contact"] = .string(contact) }
        if let availability { members["availability"] = .string(availability) }
        return .object(members)
    }

    /// Resolves a matrix name through the contacts table.
    ///
    /// Matching ignores case and punctuation: an exact match of the words wins; otherwise a role whose words
    /// begin with the target's words (`On-call` → `On-Call Engineer`).
    public static func resolve(_ name: String, contacts: [Contact]) -> EscalationTarget {
        let wanted = words(name)
        let exact = contacts.first { words($0.role) == wanted }
        let prefix = contacts.first { words($0.role).starts(with: wanted) && !wanted.isEmpty }
        guard let row = exact ?? prefix else { return EscalationTarget(name: name) }
        return EscalationTarget(name: name, role: row.role, contact: row.contact, availability: row.availability)
    }

    static func words(_ text: String) -> [String] {
        text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
    }
}
