#!/usr/bin/env bash
# The simulator's stand-in for Candlefish's deployment/scripts/deploy.sh: deploys with Helm, or rolls back with -r.
# It calls helm and kubectl from PATH, which in a drill are the simulator's, and refuses to run anywhere else.
#
# Usage: deploy.sh -e production|staging|development [-r]
set -u

if [ -z "${RUNBOOK_SIM_SCENARIO:-}" ] || [[ "$(command -v helm)" != */simulator/bin/helm ]]; then
    echo "deploy.sh: this is the drill simulator's stand-in; it only runs with the simulator's helm first on PATH" >&2
    exit 125
fi

environment="" rollback=false
while getopts "e:r" option; do
    case $option in
    e) environment=$OPTARG ;;
    r) rollback=true ;;
    *) echo "usage: deploy.sh -e production|staging|development [-r]" >&2; exit 2 ;;
    esac
done
case $environment in
production) namespace=candlefish-prod ;;
staging) namespace=candlefish-staging ;;
development) namespace=candlefish-dev ;;
*) echo "deploy.sh: -e must be production, staging or development" >&2; exit 2 ;;
esac

if $rollback; then
    echo "==> Rolling back $namespace"
    helm rollback "$namespace" -n "$namespace" || exit
    kubectl rollout status deployment/backend-api -n "$namespace" --timeout=300s
    exit
fi

echo "==> Deploying Candlefish AI to $environment ($namespace)"
if helm upgrade --install "$namespace" deployment/helm/candlefish \
    --namespace "$namespace" --values "deployment/helm/candlefish/values-${namespace#candlefish-}.yaml" \
    --timeout 15m --wait; then
    echo "==> Deployment to $environment succeeded"
else
    # The real script rolls back automatically when the deployment fails.
    echo "==> Deployment failed; rolling back" >&2
    helm rollback "$namespace" -n "$namespace"
    exit 1
fi
