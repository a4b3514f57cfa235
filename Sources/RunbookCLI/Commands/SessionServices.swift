import Foundation
import RunbookKit

/// The concrete parts a launched session uses, as factories so that tests and drills can substitute them.
public struct SessionServices {
    /// Opens the transcript store at the resolved database path (`--db`, `$RUNBOOK_DB`, …).
    public var openStore: (_ flag: String?, _ redactor: any SecretRegistering) throws -> any TranscriptStore
    /// Loads the runbooks directory.
    public var loadRunbooks: (_ directory: String) throws -> any RunbookLoading
    /// The runner: a pseudo-terminal when stdin is a terminal, pipes otherwise. It prints output to the screen.
    public var makeRunner: (_ stdinIsTerminal: Bool) -> any CommandRunner
    /// A fresh redactor for a runbooks directory: the built-in patterns and the rules of its `redaction.yaml`.
    public var makeRedactor: (_ runbooksDirectory: String) throws -> any SecretRegistering
    /// The destructive-command detector of a runbooks directory: the built-in rules and its `destructive.yaml`.
    public var destructiveDetector: (_ runbooksDirectory: String) throws -> DestructiveCommandDetector

    /// Creates services from factories.
    public init(
        openStore: @escaping (_ flag: String?, _ redactor: any SecretRegistering) throws -> any TranscriptStore,
        loadRunbooks: @escaping (_ directory: String) throws -> any RunbookLoading,
        makeRunner: @escaping (_ stdinIsTerminal: Bool) -> any CommandRunner,
        makeRedactor: @escaping (_ runbooksDirectory: String) throws -> any SecretRegistering,
        destructiveDetector: @escaping (_ runbooksDirectory: String) throws -> DestructiveCommandDetector
    ) {
        self.openStore = openStore
        self.loadRunbooks = loadRunbooks
        self.makeRunner = makeRunner
        self.makeRedactor = makeRedactor
        self.destructiveDetector = destructiveDetector
    }
}
