import Foundation
import RunbookKit

extension SessionServices {
    // TEMPORARY (parts): the runbook loader, runners, redactor and detector are wired once the parser and the
    // executor land on main.
    /// The real parts.
    public static var standard: SessionServices {
        SessionServices(
            openStore: { flag, redactor in
                let environment = ProcessInfo.processInfo.environment
                let location = DatabaseLocation.resolve(
                    flag: flag, environment: environment, currentDirectory: FileManager.default.currentDirectoryPath)
                return try SQLiteTranscriptStore(
                    path: location.path, redactor: redactor,
                    busyTimeout: StoreOpener.busyTimeout(environment: environment))
            },
            loadRunbooks: { directory in
                throw CLIError.unreadableFile(path: directory, reason: "the parser is not built yet")
            },
            makeRunner: { _ in UnavailableRunner() }, makeRedactor: { PassThroughRedactor() },
            looksDestructive: { _ in false })
    }
}

struct UnavailableRunner: CommandRunner {
    func run(_ request: CommandRequest, sink: any OutputSink) throws -> CommandResult {
        throw CLIError.unreadableFile(path: request.shell, reason: "the executor is not built yet")
    }
}

final class PassThroughRedactor: SecretRegistering, @unchecked Sendable {
    func registerSecret(_ value: String, name: String) {}
    func redact(_ text: String) -> String { text }
}
