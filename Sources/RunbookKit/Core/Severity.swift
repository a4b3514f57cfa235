import Foundation

/// Incident severity, P0 (complete outage) to P3 (minor issues), as in the escalation matrix.
public enum Severity: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case p0 = "P0"
    case p1 = "P1"
    case p2 = "P2"
    case p3 = "P3"

    /// Parses `P0`…`P3`, case-insensitively; `nil` for anything else.
    public init?(parsing text: String) {
        self.init(rawValue: text.trimmingCharacters(in: .whitespaces).uppercased())
    }

    /// 0 for P0 … 3 for P3.
    public var rank: Int { Severity.allCases.firstIndex(of: self)! }

    /// P0 is the most severe, so it sorts first: `p0 < p1` means "p0 is more urgent".
    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }

    /// Whether `self` is more urgent than `other`.
    public func isMoreSevere(than other: Severity) -> Bool { self < other }
}
