import Foundation

/// Where a step's command will run, for the line under the step's heading: the incident's environment and, for
/// a step that calls `kubectl`, `oc` or `helm`, the kube context and namespace it will reach.
public struct StepTarget: Sendable, Hashable {
    /// What is known of the cluster a Kubernetes step reaches.
    public enum Cluster: Sendable, Hashable {
        /// The current context of the responder's kubeconfig, read with `kubectl` itself.
        case context(name: String, namespace: String)
        /// A drill's simulated cluster: the real context is never shown, nor reached.
        case simulated(scenario: String, namespace: String)
        /// No context could be read; `reason` is said once, plainly (later steps only say "no kube context").
        case unknown(reason: String?)
    }

    public var environment: String
    /// `nil` for a step that does not call `kubectl`, `oc` or `helm`.
    public var cluster: Cluster?

    public init(environment: String, cluster: Cluster? = nil) {
        self.environment = environment
        self.cluster = cluster
    }
}
