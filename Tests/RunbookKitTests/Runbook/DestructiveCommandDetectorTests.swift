import Foundation
import RunbookKit
import Testing

@Suite struct DestructiveCommandDetectorTests {
    @Test(arguments: [
        "kubectl delete pod web-1 -n candlefish-prod",
        "kubectl -n prod scale deployment website --replicas=0",
        "kubectl scale deployment website --replicas 0",
        "kubectl rollout undo deployment/website -n candlefish-prod",
        "helm rollback candlefish-prod 3",
        "helm uninstall candlefish -n x",
        "terraform apply -auto-approve",
        "cd infra && terraform destroy",
        "psql -c 'DROP TABLE users'",
        "psql -c \"truncate sessions;\"",
        "kubectl exec deploy/api -- \\\n  kubectl delete pod x",
    ])
    func flagsDestructiveCommands(command: String) {
        #expect(!DestructiveCommandDetector.reasons(for: command).isEmpty)
    }

    @Test(arguments: [
        "kubectl get pods -n candlefish-prod",
        "kubectl scale deployment website --replicas=10",
        "kubectl rollout history deployment/website",
        "helm history candlefish-prod",
        "terraform plan",
        "# kubectl delete pod x",
        "kubectl get events | grep delete",
        "echo dropped tables",
        "kubectl logs --tail=100 -l app=postgresql",
    ])
    func leavesHarmlessCommandsAlone(command: String) {
        #expect(DestructiveCommandDetector.reasons(for: command) == [])
    }

    @Test func reasonNamesTheCommand() {
        #expect(
            DestructiveCommandDetector.reasons(for: "helm rollback x 2") == [
                "`helm rollback` replaces the running release"
            ])
    }
}
