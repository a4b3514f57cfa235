import Foundation

/// What a command changed in its shell's exported environment: the variables it exported (new, or with a new
/// value) and the ones it unset, comparing the environment the shell had before the command with the one it had
/// after (both read with `env -0`).
public struct EnvironmentChanges: Sendable, Hashable, Codable {
    /// Variables that are new or whose value changed, by name.
    public var exported: [String: String]
    /// Variables the command removed from the environment, sorted.
    public var unset: [String]

    public init(exported: [String: String] = [:], unset: [String] = []) {
        self.exported = exported
        self.unset = unset
    }

    /// Whether the command changed nothing.
    public var isEmpty: Bool { exported.isEmpty && unset.isEmpty }

    /// Names the shell itself changes on its own account (`SHLVL`, `_`, and `PWD`/`OLDPWD`, which follow `cd`):
    /// never a command's export.
    public static let shellMaintained: Set<String> = ["_", "SHLVL", "PWD", "OLDPWD"]

    /// The changes from `before` to `after`, without `shellMaintained` names. Names a shell could not have exported
    /// (an inherited `a-b=c`) are kept here; the session accepts only variable names.
    public init(before: [String: String], after: [String: String]) {
        var exported: [String: String] = [:]
        for (name, value) in after where before[name] != value && Self.isExportable(name) {
            exported[name] = value
        }
        self.exported = exported
        self.unset = before.keys.filter { after[$0] == nil && Self.isExportable($0) }.sorted()
    }

    /// The changes between two `env -0` dumps.
    public init(before: Data, after: Data) {
        self.init(before: Self.parse(before), after: Self.parse(after))
    }

    /// Reads an `env -0` dump: `NAME=VALUE` entries, each ended by a NUL byte (the last one may lack it). The name
    /// ends at the first `=`, so a value may hold `=`, newlines and anything but NUL. An entry without `=` is not a
    /// variable and is skipped; a name seen twice keeps its last value, as `getenv` would not, but a shell never
    /// writes one twice.
    public static func parse(_ dump: Data) -> [String: String] {
        var variables: [String: String] = [:]
        dump.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            let bytes = buffer.bindMemory(to: UInt8.self)
            var start = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count, bytes[end] != 0 { end += 1 }
                let entry = UnsafeBufferPointer(rebasing: bytes[start..<end])
                if let equals = entry.firstIndex(of: UInt8(ascii: "=")), equals > 0 {
                    let name = String(decoding: UnsafeBufferPointer(rebasing: entry[..<equals]), as: UTF8.self)
                    let value = String(decoding: UnsafeBufferPointer(rebasing: entry[(equals + 1)...]), as: UTF8.self)
                    variables[name] = value
                }
                start = end + 1
            }
        }
        return variables
    }

    private static func isExportable(_ name: String) -> Bool {
        !shellMaintained.contains(name)
    }
}
