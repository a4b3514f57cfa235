import Foundation
import RunbookKit

/// How an escalator is put together from a runbooks directory: what `runbook escalator` and `runbook serve` share,
/// so that both fire and deliver with the same channels, retries and calendar.
public enum EscalatorFactory {
    /// `notifiers.yaml` of the runbooks directory, its channels' secrets taught to `redactor` (before anything is
    /// delivered: a notifier error that echoes a webhook URL is stored redacted). A file that does not load, and
    /// each secret missing from `environment`, is a warning said to `log`.
    public static func notifierConfiguration(
        runbooksDirectory: String, redactor: Redactor, environment: [String: String], log: (String) -> Void
    ) -> NotifierConfiguration {
        var configuration = NotifierConfiguration()
        do {
            configuration = try NotifierConfiguration.load(runbooksDirectory: runbooksDirectory)
        } catch {
            log("warning: \(error); escalations are recorded but no channel is notified")
        }
        configuration.registerSecrets(with: redactor, environment: environment)
        for variable in configuration.missingSecrets(environment: environment) {
            log("warning: \(variable) is not set; notifications through that channel will fail")
        }
        return configuration
    }

    /// An escalator over `store` with `configuration`'s channels; it still has to `acquire` the store's lease.
    public static func escalator(
        store: any EscalatorStore, configuration: NotifierConfiguration, environment: [String: String],
        idleExit: TimeInterval?, databasePath: String?, log: @escaping @Sendable (String) -> Void
    ) -> Escalator {
        let scheduler = EscalationScheduler(
            store: store, configuration: configuration, environment: environment,
            actor: "escalator@" + ProcessInfo.processInfo.hostName)
        return Escalator(
            store: store, scheduler: scheduler, options: Escalator.Options(idleExit: idleExit),
            databasePath: databasePath, log: log)
    }
}
