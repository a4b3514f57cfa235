import Foundation

/// Directories the tool creates for its own files (exports, keys, history) are private: mode 0700.
public enum PrivateDirectory {
    /// Creates the directory that will hold `path`, with its missing parents, mode 0700, when it is missing. An
    /// existing directory keeps its mode: its owner chose it.
    /// - Throws: Foundation's error when the directory cannot be created.
    public static func createParent(of path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        guard !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) else { return }
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }
}
