import Foundation
import RunbookKit

/// Tells the REPL where a shown step will run: the environment, and for a step that calls `kubectl`, `oc` or
/// `helm` the kube context and namespace, read with `kubectl` once per session (cached), or the drill's simulated
/// cluster, whose real context is never read.
final class StepTargetReader {
    let environment: String
    /// The drill's simulator scenario, when commands reach the simulator.
    let simulatedScenario: String?
    /// Reads the kube context (`KubeContext.read` with the commands' environment); replaced in tests.
    let readContext: () -> KubeContext.Reading
    private var reading: KubeContext.Reading?
    /// Whether the reason for a missing context was said (it is said once, plainly).
    private var explained = false

    init(
        environment: String, simulatedScenario: String?, readContext: @escaping () -> KubeContext.Reading
    ) {
        self.environment = environment
        self.simulatedScenario = simulatedScenario
        self.readContext = readContext
    }

    /// The target of `view`; `nil` for an item that runs nothing.
    func target(of view: StepView) -> StepTarget? {
        guard let command = view.command else { return nil }
        guard CommandPrograms.callsKubernetes(command) else { return StepTarget(environment: environment) }
        let written = CommandPrograms.namespace(in: command).map { Self.resolve($0, variables: view.variables) }
        if let simulatedScenario {
            return StepTarget(
                environment: environment,
                cluster: .simulated(scenario: simulatedScenario, namespace: written ?? "default"))
        }
        if reading == nil { reading = readContext() }
        switch reading {
        case .context(let name, let namespace)?:
            let shown = written ?? namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
            return StepTarget(environment: environment, cluster: .context(name: name, namespace: shown))
        case .noKubectl?, .noContext?, nil:
            defer { explained = true }
            let reason =
                reading == .noKubectl
                ? "kubectl is not on PATH, so this step cannot reach a cluster"
                : "kubectl has no current context (no kubeconfig or cluster configured)"
            return StepTarget(environment: environment, cluster: .unknown(reason: explained ? nil : reason))
        }
    }

    /// A namespace as written (`$NAMESPACE`, `${NAMESPACE}`, `prod`), with a variable replaced by its value; a
    /// variable not set yet stays as written (`$NAMESPACE`: it is asked next, and the line is shown again).
    static func resolve(_ written: String, variables: [StepView.Variable]) -> String {
        guard written.hasPrefix("$") else { return written }
        let name = written.dropFirst().trimmingCharacters(in: CharacterSet(charactersIn: "{}"))
        return variables.first { $0.name == name && !$0.isSecret }?.value ?? written
    }
}
