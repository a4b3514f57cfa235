import Foundation
import RunbookKit

extension SessionLauncher {
    /// Says once, before the first step, which programs the current runbook's commands (and its `requires:`) need
    /// that are not on the commands' PATH, with the steps that use each. Says nothing when all are there.
    func preflight(_ session: IncidentSession, renderer: SessionRenderer) {
        let runbook = session.runbook
        let environment = session.environment
        let path = options.baseEnvironment()["PATH"] ?? ""
        let missing = CommandPrograms.needs(of: runbook) { step in
            !step.attributes.ignore
                && (step.attributes.environments.isEmpty
                    || EnvironmentName.list(step.attributes.environments, contains: environment))
        }
        .filter { !Self.isOnPath($0.program, path: path) }
        if let text = renderer.preflight(missing: missing, runbookID: runbook.id) { write(text + "\n") }
    }

    /// Whether an executable `program` is in one of `path`'s directories.
    static func isOnPath(_ program: String, path: String) -> Bool {
        path.split(separator: ":", omittingEmptySubsequences: true).contains {
            access(String($0) + "/" + program, X_OK) == 0
        }
    }

    /// What tells the REPL where each step runs: the simulated cluster of a drill against the simulator, else the
    /// real kube context, read with `kubectl` on the commands' PATH the first time a Kubernetes step is shown.
    func stepTargetReader(environment: String, simulation: String?) -> StepTargetReader {
        let commandEnvironment = options.baseEnvironment()
        return StepTargetReader(
            environment: environment, simulatedScenario: simulation,
            readContext: { KubeContext.read(environment: commandEnvironment) })
    }
}
