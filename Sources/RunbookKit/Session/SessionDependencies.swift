import Foundation

/// What an incident session works with: injected so that tests, drills and the CLI can each pass their own.
public struct SessionDependencies {
    /// Where every event is recorded, before the next prompt.
    public var store: any TranscriptStore
    /// Runs approved commands.
    public var runner: any CommandRunner
    /// The incident clock (a `ScaledClock` in drills, a `TestClock` in tests).
    public var clock: any Clock
    /// Resolves runbook ids.
    public var loader: any RunbookLoading
    /// `user@host` of the responder at this terminal.
    public var actor: String
    /// The environment every command starts from (the process environment, plus a simulator's PATH in drills).
    public var baseEnvironment: [String: String]
    /// Working directory of commands without `cwd`.
    public var workingDirectory: String?
    /// Timeout of non-interactive steps without a `timeout` attribute; `nil` for none.
    public var defaultTimeout: TimeInterval?
    /// The linter's destructive-command detector: such commands are warned about whatever their declared risk.
    public var looksDestructive: @Sendable (String) -> Bool
    /// Arms, fires and stops the incident's escalation timers; `nil` records acks, severity changes and
    /// resolutions as plain events, without timers (fake stores, tests of the session alone).
    public var escalation: EscalationScheduler?
    /// Most bytes of one command's output stored (head and tail kept, the rest counted in `dropped_bytes`); the
    /// screen always gets everything.
    public var outputLimit: Int = OutputLimiter.defaultLimit
    /// Which environments are production: destructive steps there need the target typed.
    public var productionEnvironments = ProductionEnvironments()
    /// Where commands run: `.network` seals them in a network namespace of their own (simulated drills).
    public var isolation: CommandIsolation = .none
    /// The responder's key (`runbook keys init`): when set, `resolve` and `handoff` sign the chain head.
    public var signingKey: SigningKey?
    /// Starts `background` steps detached (pipes, output to the transcript only); `nil` runs them in the
    /// foreground like any step.
    public var backgroundRunner: PipeCommandRunner?

    /// The store's redactor, which learns the value of every secret variable as soon as it is set. The store
    /// applies it to everything recorded; the session never redacts on its own.
    public var redactor: (any SecretRegistering)? { store.redactor as? any SecretRegistering }

    /// Creates the dependencies; the detector defaults to one that flags nothing.
    public init(
        store: any TranscriptStore, runner: any CommandRunner, clock: any Clock, loader: any RunbookLoading,
        actor: String, baseEnvironment: [String: String] = [:],
        workingDirectory: String? = nil, defaultTimeout: TimeInterval? = 600,
        looksDestructive: @escaping @Sendable (String) -> Bool = { _ in false },
        escalation: EscalationScheduler? = nil
    ) {
        self.store = store
        self.runner = runner
        self.clock = clock
        self.loader = loader
        self.actor = actor
        self.baseEnvironment = baseEnvironment
        self.workingDirectory = workingDirectory
        self.defaultTimeout = defaultTimeout
        self.looksDestructive = looksDestructive
        self.escalation = escalation
    }
}
