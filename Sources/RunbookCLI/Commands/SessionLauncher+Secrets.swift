import Foundation
import RunbookKit

extension SessionLauncher {
    /// Teaches the session store's redactor every secret the tool knows before anything is recorded: the value in
    /// the commands' environment of each variable a runbook of the directory declares `secret: true`, and the value
    /// of each environment variable `notifiers.yaml` names (`url_env`, `routing_key_env`). A step that prints
    /// `env` then stores them redacted.
    func registerKnownSecrets(with redactor: any SecretRegistering, loader: any RunbookLoading) {
        let environment = options.baseEnvironment()
        for id in loader.runbookIDs() {
            // A runbook that does not parse is reported when it is opened; it declares nothing usable here.
            guard let runbook = try? loader.runbook(id: id) else { continue }
            for spec in runbook.variables where spec.secret {
                if let value = environment[spec.name], !value.isEmpty {
                    redactor.registerSecret(value, name: spec.name)
                }
            }
        }
        let configuration = try? NotifierConfiguration.load(runbooksDirectory: options.runbooksDirectory)
        configuration?.registerSecrets(with: redactor, environment: ProcessInfo.processInfo.environment)
        configuration?.registerSecrets(with: redactor, environment: environment)
    }
}
