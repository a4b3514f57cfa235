import Foundation

/// Who is acting, as recorded in every event's `actor` column (`user@host`).
public struct ResponderIdentity: Sendable, Hashable {
    /// The login name.
    public var user: String
    /// The short host name (a bastion host shared by responders shows who typed what).
    public var host: String

    /// An identity from its parts.
    public init(user: String, host: String) {
        self.user = user
        self.host = host
    }

    /// `user@host`.
    public var actor: String { "\(user)@\(host)" }

    /// The current process's user (`$USER`, else the password database) and host name.
    public static func current(environment: [String: String] = ProcessInfo.processInfo.environment)
        -> ResponderIdentity
    {
        var user = environment["USER"] ?? environment["LOGNAME"] ?? ""
        if user.isEmpty, let entry = getpwuid(getuid()), let name = entry.pointee.pw_name {
            user = String(cString: name)
        }
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "localhost"
        return ResponderIdentity(user: user.isEmpty ? "uid\(getuid())" : user, host: host)
    }
}
