import Foundation

/// The kube context a real drill's `kubectl` would talk to, for the drill's header and prompt.
enum KubeContext {
    /// Longest wait for `kubectl config current-context`: it only reads the kubeconfig, so it answers at once or
    /// something is wrong, and the drill must not wait on it.
    static let timeout: TimeInterval = 2

    /// `kubectl config current-context` with `environment` (the drill commands' own), or `nil` when `kubectl` is
    /// not on its PATH, fails, prints nothing or does not answer within `timeout`.
    static func current(environment: [String: String]) -> String? {
        let path = environment["PATH"] ?? ""
        let kubectl = path.split(separator: ":", omittingEmptySubsequences: true).map { String($0) + "/kubectl" }
            .first { access($0, X_OK) == 0 }
        guard let kubectl else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: kubectl)
        process.arguments = ["config", "current-context"]
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        do { try process.run() } catch { return nil }
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            return nil
        }
        guard process.terminationStatus == 0 else { return nil }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty || text.contains("\n") ? nil : text
    }
}
