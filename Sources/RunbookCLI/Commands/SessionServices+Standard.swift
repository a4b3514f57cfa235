import Foundation
import RunbookKit

extension SessionServices {
    /// The real parts: a pseudo-terminal runner when the responder is at a terminal (so `kubectl exec -it`,
    /// pagers and colours work and Ctrl-C reaches the command), pipes otherwise; the pattern-and-secret `Redactor` with the directory's `redaction.yaml` rules.
    public static var standard: SessionServices {
        SessionServices(
            openStore: { flag, redactor in
                let environment = ProcessInfo.processInfo.environment
                let location = DatabaseLocation.resolve(
                    flag: flag, environment: environment, currentDirectory: FileManager.default.currentDirectoryPath)
                return try StoreOpener.open(location, redactor: redactor, environment: environment)
            },
            loadRunbooks: { directory in try RunbookDirectoryLoader(directory: directory) },
            makeRunner: { stdinIsTerminal in
                stdinIsTerminal
                    ? PTYCommandRunner(forwardsSignals: true) as any CommandRunner
                    : PipeCommandRunner(forwardsSignals: true)
            },
            makeRedactor: { try Redactor(directory: $0) },
            destructiveDetector: { try DestructiveCommandDetector(directory: $0) })
    }
}
