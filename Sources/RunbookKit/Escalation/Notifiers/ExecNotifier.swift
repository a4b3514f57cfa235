import Foundation

/// Runs a command with the notification as JSON on stdin, so teams can wire anything (email, SMS, a ticket).
///
/// The command is an argument vector, never a shell string; it is looked up on `PATH`. Exit 0 means
/// delivered; exit 75 (`EX_TEMPFAIL`) or a timeout means "try again later"; any other exit is a permanent failure.
public struct ExecNotifier: Notifier {
    public let channel: String
    /// Program and arguments (`["scripts/notify-email", "--to", "ops@example.com"]`).
    public let command: [String]
    public let kinds: Set<EscalationNotification.Kind>
    /// Whether drills are sent here too (`drills: true`); by default they are not.
    public let drills: Bool
    /// Upper bound of one run; the child is terminated after it.
    public let timeout: TimeInterval
    /// Working directory of the child (the runbooks directory's parent by default: where relative paths point).
    public let currentDirectory: URL?
    /// The variables of the escalator's environment the hook gets besides `passedVariables` (`env:`).
    public let environmentVariables: [String]

    public init(
        channel: String, command: [String],
        kinds: Set<EscalationNotification.Kind> = Set(EscalationNotification.Kind.allCases), drills: Bool = false,
        timeout: TimeInterval = 10, currentDirectory: URL? = nil, environmentVariables: [String] = []
    ) {
        self.environmentVariables = environmentVariables
        self.channel = channel
        self.command = command
        self.kinds = kinds
        self.drills = drills
        self.timeout = timeout
        self.currentDirectory = currentDirectory
    }

    public func accepts(_ notification: EscalationNotification) -> Bool {
        kinds.contains(notification.kind) && (drills || !notification.isDrill)
    }

    public func deliver(_ notification: EscalationNotification) -> DeliveryResult {
        guard !command.isEmpty else { return .permanent(error: "empty command") }
        // A child that exits without reading its stdin must not kill us with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        process.environment = environment(for: notification)
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        do {
            try process.run()
        } catch {
            return .permanent(error: "cannot start \(command[0]): \(error.localizedDescription)")
        }
        try? input.fileHandleForWriting.write(contentsOf: notification.jsonData())
        try? input.fileHandleForWriting.close()
        // Read the child's words concurrently so a chatty child cannot block on a full pipe.
        let captured = CapturedOutput()
        let reader = DispatchGroup()
        reader.enter()
        DispatchQueue.global().async {
            captured.data = DescriptorReading.readToEnd(output.fileHandleForReading)
            reader.leave()
        }
        if exited.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            if exited.wait(timeout: .now() + 1) == .timedOut { kill(process.processIdentifier, SIGKILL) }
            return .retryable(error: "\(command[0]) did not finish within \(String(format: "%g", timeout)) s")
        }
        _ = reader.wait(timeout: .now() + 1)
        let said = String(decoding: captured.data.prefix(300), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let status = process.terminationStatus
        if process.terminationReason == .uncaughtSignal {
            return .retryable(error: "\(command[0]) was killed by signal \(status)")
        }
        switch status {
        case 0: return .sent(detail: "exit 0")
        case 75: return .retryable(error: "exit 75 (try again later)" + (said.isEmpty ? "" : ": \(said)"))
        default: return .permanent(error: "exit \(status)" + (said.isEmpty ? "" : ": \(said)"))
        }
    }

    /// The variables of the escalator's environment a hook gets; nothing else (no other channel's webhook URL
    /// or routing key) reaches it. docs/escalation.md lists them.
    public static let passedVariables = ["PATH", "HOME", "LANG", "TZ"]

    /// The hook's whole environment: `passedVariables` and its own `environmentVariables` from `base`, and what
    /// the notification is.
    public func environment(
        for notification: EscalationNotification, base: [String: String] = ProcessInfo.processInfo.environment
    ) -> [String: String] {
        var environment = base.filter {
            Self.passedVariables.contains($0.key) || environmentVariables.contains($0.key)
        }
        environment["RUNBOOK_NOTIFICATION_KIND"] = notification.kind.rawValue
        environment["RUNBOOK_INCIDENT_ID"] = String(notification.incidentID)
        environment["RUNBOOK_CHANNEL"] = channel
        return environment
    }

    private final class CapturedOutput: @unchecked Sendable {
        var data = Data()
    }
}
