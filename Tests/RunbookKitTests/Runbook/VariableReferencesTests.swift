import Foundation
import RunbookKit
import Testing

@Suite struct VariableReferencesTests {
    @Test func findsPlainAndBracedReferencesOnce() {
        #expect(
            VariableReferences.names(in: "kubectl get pods -n $NAMESPACE ${POD} $NAMESPACE") == ["NAMESPACE", "POD"])
    }

    @Test func ignoresSingleQuotesEscapesCommentsAndSpecialParameters() {
        let command = #"""
            awk '{print $1}' | echo \$HOME "$$" $1 $? $@ # uses $COMMENTED
            echo "in double quotes: $INSIDE" '$OUTSIDE'
            """#
        #expect(VariableReferences.names(in: command) == ["INSIDE"])
    }

    @Test func readsParameterExpansions() {
        #expect(VariableReferences.names(in: "echo ${REPLICAS:-3} ${#NAME}") == ["REPLICAS", "NAME"])
    }

    @Test func assignedNamesCoverLoopsReadsAndDeclarations() {
        let script = """
            for svc in website backend-api; do kubectl get deploy/$svc; done
            COUNT=3 other=1
            export KUBE_NS=x; local LOCAL_ONE=2
            read -r -p "Pod? " POD_NAME
            while read line; do echo $line; done
            """
        let names = VariableReferences.assignedNames(in: script)
        #expect(names == ["svc", "COUNT", "other", "KUBE_NS", "LOCAL_ONE", "POD_NAME", "line"])
    }

    @Test func exportedNamesAreThoseAfterExportAndDeclareX() {
        let script = """
            export NS=openshift-monitoring POD="$(kubectl get pods -o name)"
            kubectl get pods && export LATER
            declare -x DECLARED=1; declare -r NOT_EXPORTED=2; typeset -gx TYPESET=3
            export -n UNEXPORTED; PLAIN=4; local LOCAL=5
            # export COMMENTED=6
            echo 'export QUOTED=7'
            """
        #expect(VariableReferences.exportedNames(in: script) == ["NS", "POD", "LATER", "DECLARED", "TYPESET"])
    }

    @Test func standaloneAssignmentsAreThoseWithNoCommandAfterThem() {
        let script = """
            NODE=$(oc get nodes -o name | head -1)
            A=1 B="two words"; C=`date +%s`
            IFS= read -r LINE < /dev/null
            KUBECONFIG=/tmp/x oc get pods
            if true; then INNER=yes; fi
            export EXPORTED=1
            echo D=4
            # COMMENTED=5
            """
        #expect(VariableReferences.standaloneAssignedNames(in: script) == ["NODE", "A", "B", "C", "INNER"])
        #expect(VariableReferences.standaloneAssignedNames(in: VariableReferences.unsetGuard("X") + " X=1").isEmpty)
    }

    @Test func aCommandSubstitutionWithBlanksIsOneWord() {
        #expect(VariableReferences.assignedNames(in: "POD=$(kubectl get pods -o name; true) echo") == ["POD"])
        #expect(VariableReferences.exportedNames(in: "export NS=\"$(printf '%s' a b)\" LATER") == ["NS", "LATER"])
    }

    @Test func anArgumentWithEqualsIsNotAnAssignment() {
        #expect(VariableReferences.assignedNames(in: "kubectl set env deployment/api READ_ONLY=true").isEmpty)
    }

    @Test func resolverExpandsKnownReferencesOnly() {
        let values = ["ENVIRONMENT": "prod", "APP": "web"]
        #expect(VariableResolver.expand("candlefish-${ENVIRONMENT}", values: values) == "candlefish-prod")
        #expect(VariableResolver.expand("$APP-${UNKNOWN}-\\$APP", values: values) == "web-${UNKNOWN}-$APP")
    }

    @Test func defaultsResolveInDeclarationOrderWithPerEnvironmentValues() {
        let variables = [
            VariableSpec(
                name: "NAMESPACE", defaultValue: "candlefish-${ENVIRONMENT}",
                defaultsByEnvironment: ["production": "candlefish-prod"]),
            VariableSpec(name: "RELEASE", defaultValue: "$NAMESPACE"),
        ]
        let production = VariableResolver.resolveDefaults(variables, environment: "production")
        #expect(production["NAMESPACE"] == "candlefish-prod")
        #expect(production["RELEASE"] == "candlefish-prod")
        let staging = VariableResolver.resolveDefaults(variables, environment: "staging")
        #expect(staging["NAMESPACE"] == "candlefish-staging")
    }

    /// `promptEnv`'s guarded export is an input of the step, not an assignment; an unguarded one still is.
    @Test func aNameBehindTheUnsetGuardIsNotAssigned() {
        let guarded = VariableReferences.unsetGuard("GEN") + " export GEN=v\nexport OTHER=w"
        #expect(VariableReferences.assignedNames(in: guarded) == ["OTHER"])
        #expect(VariableReferences.assignedNames(in: "export GEN=v") == ["GEN"])
    }
}
