import Foundation
import RunbookKit
import Testing

@Suite struct DestructiveCommandDetectorTests {
    func names(_ command: String, _ detector: DestructiveCommandDetector = .standard) -> [String] {
        detector.matches(command).map(\.name)
    }

    @Test(arguments: [
        ("kubectl delete pod web-1 -n candlefish-prod", "kubectl-delete"),
        ("kubectl -n prod scale deployment website --replicas=0", "kubectl-scale-to-zero"),
        ("kubectl scale deployment website --replicas 0", "kubectl-scale-to-zero"),
        ("kubectl rollout undo deployment/website -n candlefish-prod", "kubectl-rollout-undo"),
        ("kubectl drain node-1 --ignore-daemonsets", "kubectl-drain"),
        ("kubectl cordon node-1", "kubectl-cordon"),
        ("oc delete pod foo", "kubectl-delete"),
        ("/usr/bin/oc delete pod foo", "kubectl-delete"),
        ("oc adm drain node-1", "kubectl-drain"),
        ("oc adm cordon node-1", "kubectl-cordon"),
        ("oc scale dc/web --replicas=0", "kubectl-scale-to-zero"),
        ("oc rollout undo dc/web", "kubectl-rollout-undo"),
        ("helm rollback candlefish-prod 3", "helm-rollback"),
        ("helm uninstall candlefish -n x", "helm-uninstall"),
        ("terraform apply -auto-approve", "terraform-apply"),
        ("cd infra && terraform destroy", "terraform-destroy"),
        ("terraform apply -destroy", "terraform-destroy"),
        ("psql -c 'DROP TABLE users'", "sql-drop"),
        ("psql -c \"truncate sessions;\"", "sql-truncate"),
        ("psql \"$DATABASE_URL\" -c \"DELETE FROM sessions WHERE expired\"", "sql-delete"),
        ("aws ec2 terminate-instances --instance-ids i-123", "aws-delete"),
        ("aws s3api delete-bucket --bucket logs", "aws-delete"),
        ("gcloud compute instances delete web-1 --zone europe-west1-b", "gcloud-delete"),
        ("rm -rf /var/lib/app/cache", "rm-recursive"),
        ("sudo rm -R /srv/old", "rm-recursive"),
        ("rm --recursive build", "rm-recursive"),
        ("kubectl exec deploy/api -- \\\n  kubectl delete pod x", "kubectl-delete"),
    ])
    func flagsDestructiveCommandsByRuleName(command: String, rule: String) {
        #expect(names(command).contains(rule), "\(command): \(names(command))")
    }

    @Test(arguments: [
        "kubectl get pods -n candlefish-prod",
        "kubectl scale deployment website --replicas=10",
        "kubectl rollout history deployment/website",
        "kubectl uncordon node-1",
        "oc get pods",
        "oc adm top nodes",
        "helm history candlefish-prod",
        "terraform plan",
        "# kubectl delete pod x",
        "kubectl get events | grep delete",
        "echo dropped tables",
        "kubectl logs --tail=100 -l app=postgresql",
        "psql -c 'SELECT * FROM deleted_users'",
        "aws ec2 describe-instances",
        "gcloud compute instances list",
        "rm -f /tmp/lock",
        "rm -- -r",
        "ocean delete",
    ])
    func leavesHarmlessCommandsAlone(command: String) {
        #expect(names(command) == [], "\(command)")
    }

    @Test func reasonNamesTheCommand() {
        #expect(
            DestructiveCommandDetector.standard.matches("helm rollback x 2").map(\.reason) == [
                "`helm rollback` replaces the running release"
            ])
    }

    @Test func everyBuiltInRuleHasItsOwnName() {
        let names = DestructiveRule.builtIn.map(\.name)
        #expect(Set(names).count == names.count)
    }

    @Test func aDirectoryAddsItsOwnPatterns() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try """
        # Commands of our own admin tool.
        rules:
          - name: cluster-reset
            pattern: 'candlefish-admin reset( |$)'
            reason: resets every node of the cluster
        """.write(toFile: directory + "/destructive.yaml", atomically: true, encoding: .utf8)
        let (detector, diagnostics) = DestructiveCommandDetector.load(directory: directory)
        #expect(diagnostics.isEmpty)
        #expect(names("candlefish-admin reset --force", detector) == ["cluster-reset"])
        #expect(detector.matches("candlefish-admin reset").first?.reason == "resets every node of the cluster")
        #expect(names("candlefish-admin status", detector) == [])
        #expect(names("# candlefish-admin reset", detector) == [])
        #expect(names("kubectl delete pod x", detector) == ["kubectl-delete"])
    }

    @Test(arguments: [
        ("rules:\n  - name: x\n    pattern: '(unclosed'\n", 3, 14, "is not a regular expression"),
        ("rules:\n  - name: kubectl-delete\n    pattern: 'x'\n", 2, 11, "a rule named `kubectl-delete` already exists"),
        ("rules:\n  - pattern: 'x'\n", 2, 5, "needs both `name` and `pattern`"),
        ("rules:\n  - name: x\n    pattern: 'x'\n    colour: red\n", 4, 5, "unknown key `colour`"),
        ("rules: [\n", 2, 1, "is not valid YAML"),
        ("patterns: []\n", 1, 1, "unknown key `patterns`"),
    ])
    func aBadRuleFileIsAnErrorAtItsPlace(yaml: String, line: Int, column: Int, message: String) throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try yaml.write(toFile: directory + "/destructive.yaml", atomically: true, encoding: .utf8)
        let diagnostics = DestructiveCommandDetector.load(directory: directory).diagnostics
        let error = try #require(diagnostics.first, "\(yaml)")
        #expect(error.message.contains(message), "\(error.message)")
        #expect(error.location == SourceLocation(file: directory + "/destructive.yaml", line: line, column: column))
        #expect(throws: RunbookParseError.self) { try DestructiveCommandDetector(directory: directory) }
    }

    @Test func everyBadRuleIsReportedAndTheGoodOnesStillApply() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try """
        rules:
          - {name: x, pattern: '(unclosed'}
          - {name: cluster-reset, pattern: 'candlefish-admin reset'}
          - {name: y, pattern: 'z', colour: red}
        """.write(toFile: directory + "/destructive.yaml", atomically: true, encoding: .utf8)
        let (detector, diagnostics) = DestructiveCommandDetector.load(directory: directory)
        #expect(names("candlefish-admin reset", detector) == ["cluster-reset"])
        #expect(
            diagnostics.map { "\($0.location.line):\($0.location.column): \($0.message)" } == [
                "2:24: pattern `(unclosed` is not a regular expression",
                "4:29: unknown key `colour` in a rule",
            ])
    }

    private func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("runbook-rules-\(UUID())").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
