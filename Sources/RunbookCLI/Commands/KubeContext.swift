import Foundation
import RunbookKit

/// The kube context a step's `kubectl` would talk to, read with `kubectl` itself, for the drill's header and
/// prompt and the step header's context line.
enum KubeContext {
    /// Longest wait for each `kubectl config …` call: it only reads the kubeconfig, so it answers at once or
    /// something is wrong, and the REPL must not wait on it.
    static let timeout: TimeInterval = 2

    /// What was read: the context and its namespace, or why there is none.
    enum Reading: Equatable {
        case context(name: String, namespace: String?)
        /// `kubectl` is not on the commands' PATH.
        case noKubectl
        /// `kubectl config current-context` failed, printed nothing or did not answer in time.
        case noContext
    }

    /// `kubectl config current-context` with `environment` (the commands' own), or `nil` when `kubectl` is not on
    /// its PATH, fails, prints nothing or does not answer within `timeout`.
    static func current(environment: [String: String]) -> String? {
        guard case .context(let name, _) = read(environment: environment, namespace: false) else { return nil }
        return name
    }

    /// The current context and, when `namespace`, the namespace it sets (`kubectl config view --minify`).
    static func read(environment: [String: String], namespace: Bool = true) -> Reading {
        let path = environment["PATH"] ?? ""
        let kubectl = path.split(separator: ":", omittingEmptySubsequences: true).map { String($0) + "/kubectl" }
            .first { access($0, X_OK) == 0 }
        guard let kubectl else { return .noKubectl }
        guard let name = run(kubectl, ["config", "current-context"], environment: environment) else {
            return .noContext
        }
        guard namespace else { return .context(name: name, namespace: nil) }
        let namespace = run(
            kubectl, ["config", "view", "--minify", "-o", "jsonpath={..namespace}"], environment: environment)
        return .context(name: name, namespace: namespace)
    }

    /// One line of output of `kubectl ARGUMENTS`, or `nil` when it fails, prints nothing or more than a line, or
    /// does not answer within `timeout`.
    private static func run(_ kubectl: String, _ arguments: [String], environment: [String: String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: kubectl)
        process.arguments = arguments
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
        let text = String(decoding: DescriptorReading.readToEnd(output.fileHandleForReading), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty || text.contains("\n") ? nil : text
    }
}
