import Foundation
import RunbookKit

extension SessionServices {
    // TEMPORARY: wired to SQLiteTranscriptStore, RunbookCatalog, PTY/Pipe runners and Redactor once they land.
    /// The real parts.
    public static var standard: SessionServices {
        SessionServices(
            openStore: { _, _ in throw CLIError.unreadableFile(path: "transcript", reason: "the store is not built yet")
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
