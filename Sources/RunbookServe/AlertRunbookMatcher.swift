import Foundation
import RunbookKit

/// Finds the local runbook an alert names: its `runbook` label (an id as `runbook start` takes it), else its
/// `runbook_url` annotation matched by path suffix (`…/alerts/etcd/EtcdDown.md` names the local
/// `alerts/etcd/EtcdDown`, or `EtcdDown` at the top), the longest match winning and a tie matching none.
public struct AlertRunbookMatcher: Sendable {
    /// The ids of the local runbooks.
    public let ids: [String]

    /// A matcher over these runbook ids.
    public init(ids: [String]) {
        self.ids = ids
    }

    /// The runbooks of `directory`; none when it cannot be read (the alert is then declared without a runbook).
    public init(directory: String) {
        self.init(ids: (try? RunbookCatalog(directory: directory).ids) ?? [])
    }

    /// The id of the runbook for an alert with these labels and annotations, or `nil`.
    public func runbook(labels: [String: String], annotations: [String: String]) -> String? {
        if let name = labels["runbook"]?.trimmingCharacters(in: .whitespaces), !name.isEmpty {
            let wanted = Self.trimmed(name)
            if let id = ids.first(where: { $0 == wanted }) { return id }
            if let id = match(path: wanted) { return id }
        }
        for key in ["runbook_url", "runbook"] {
            if let url = annotations[key], let id = match(url: url) { return id }
        }
        return nil
    }

    /// The id whose path is the longest suffix of `url`'s path (compared without `.md`, case-insensitively).
    public func match(url: String) -> String? {
        let path = URLComponents(string: url.trimmingCharacters(in: .whitespaces))?.path ?? url
        return match(path: Self.trimmed(path))
    }

    private func match(path: String) -> String? {
        let components = path.lowercased().split(separator: "/").map(String.init)
        var best: (ids: [String], length: Int) = ([], 0)
        for id in ids {
            let idComponents = id.lowercased().split(separator: "/").map(String.init)
            guard !idComponents.isEmpty, idComponents.count <= components.count,
                Array(components.suffix(idComponents.count)) == idComponents
            else { continue }
            if idComponents.count > best.length {
                best = ([id], idComponents.count)
            } else if idComponents.count == best.length {
                best.ids.append(id)
            }
        }
        // Two runbooks that match equally well (`a/EtcdDown`, `b/EtcdDown` for `…/c/EtcdDown.md`): neither.
        return best.ids.count == 1 ? best.ids[0] : nil
    }

    /// Without a trailing `/` or `.md`.
    private static func trimmed(_ path: String) -> String {
        var path = path
        while path.hasSuffix("/") { path.removeLast() }
        if path.lowercased().hasSuffix(".md") { path.removeLast(3) }
        return path
    }
}
