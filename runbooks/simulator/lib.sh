# Shared by the simulator's stand-ins (bin/*). Sourced, not run.
#
# The simulated world is a directory of small text files under $RUNBOOK_SIM_STATE, created on first use for the
# scenario in $RUNBOOK_SIM_SCENARIO (outage | database | high-load). Every stand-in reads the files to answer and
# writes them when a command changes something, so a rollback, a restart or a scale shows in later outputs.
#
# Exit statuses of the stand-ins besides the ones the real tool would use:
#   127  the command or its arguments are not simulated (message on stderr)
#   125  the simulator is not set up: RUNBOOK_SIM_SCENARIO or RUNBOOK_SIM_STATE missing or wrong

SIM_NOT_SIMULATED=127
SIM_MISCONFIGURED=125

# The three deployments a release (and the emergency rollback) touches, and the others that just run.
SIM_RELEASE_DEPLOYMENTS="website backend-api paintbox-service"
SIM_DEPLOYMENTS="website backend-api paintbox-service analytics-dashboard brand-portal api-gateway"
SIM_NODES="ip-10-0-1-23.us-west-2.compute.internal ip-10-0-2-87.us-west-2.compute.internal ip-10-0-3-141.us-west-2.compute.internal"

# The command line as typed, for messages: "kubectl get pods -n x".
SIM_COMMAND="$(basename "$0")${*:+ $*}"

sim_die_not_simulated() {
    echo "simulator: '$SIM_COMMAND' is not simulated in scenario ${RUNBOOK_SIM_SCENARIO:-?}" >&2
    [ -n "${1:-}" ] && echo "simulator: $1" >&2
    exit "$SIM_NOT_SIMULATED"
}

sim_die_misconfigured() {
    echo "simulator: $1" >&2
    exit "$SIM_MISCONFIGURED"
}

# --- state -------------------------------------------------------------------------------------------------------

# sim_get KEY [DEFAULT]: the value stored under KEY.
sim_get() {
    local value=${2:-}
    # `read` rather than `cat`: the stand-ins call this often, and a fork per call adds up.
    [ -f "$RUNBOOK_SIM_STATE/$1" ] && { IFS= read -r value <"$RUNBOOK_SIM_STATE/$1" || true; }
    printf '%s' "$value"
}

# sim_set KEY VALUE
sim_set() {
    printf '%s' "$2" >"$RUNBOOK_SIM_STATE/$1"
}

# Seconds since the scenario began, and a human age ("14m", "41d") for a start time given in seconds ago.
printf -v SIM_NOW '%(%s)T' -1
sim_now() { echo "$SIM_NOW"; }
sim_age() {
    local seconds=$1
    if [ "$seconds" -lt 60 ]; then echo "${seconds}s"
    elif [ "$seconds" -lt 3600 ]; then echo "$((seconds / 60))m"
    elif [ "$seconds" -lt 86400 ]; then echo "$((seconds / 3600))h"
    else echo "$((seconds / 86400))d"; fi
}
# Age of something that happened at epoch $1.
sim_age_since() { sim_age $(($(sim_now) - $1)); }

# The namespace of each environment. Any of them is the simulated cluster; the state is shared.
sim_is_candlefish_namespace() {
    case "$1" in candlefish-prod | candlefish-staging | candlefish-dev) return 0 ;; *) return 1 ;; esac
}

# Checks the environment and creates the scenario's initial state on first use.
sim_init() {
    case "${RUNBOOK_SIM_SCENARIO:-}" in
    outage | database | high-load) ;;
    "") sim_die_misconfigured "RUNBOOK_SIM_SCENARIO is not set (outage, database or high-load); 'runbook drill --simulate' sets it" ;;
    *) sim_die_misconfigured "unknown scenario '$RUNBOOK_SIM_SCENARIO' (outage, database or high-load)" ;;
    esac
    [ -n "${RUNBOOK_SIM_STATE:-}" ] ||
        sim_die_misconfigured "RUNBOOK_SIM_STATE is not set; 'runbook drill --simulate' sets it to a fresh directory"
    [ -d "$RUNBOOK_SIM_STATE" ] || mkdir -p -m 0700 "$RUNBOOK_SIM_STATE" ||
        sim_die_misconfigured "cannot create the state directory $RUNBOOK_SIM_STATE"
    if [ -f "$RUNBOOK_SIM_STATE/scenario" ]; then
        [ "$(cat "$RUNBOOK_SIM_STATE/scenario")" = "$RUNBOOK_SIM_SCENARIO" ] ||
            sim_die_misconfigured "$RUNBOOK_SIM_STATE holds scenario '$(cat "$RUNBOOK_SIM_STATE/scenario")', not '$RUNBOOK_SIM_SCENARIO'; use a fresh directory"
    else
        sim_initial_state
    fi
    # Every invocation is logged, so a drill (or a test) can see what the responder ran.
    printf '%s\n' "$SIM_COMMAND" >>"$RUNBOOK_SIM_STATE/commands.log"
    sim_set calls $(($(sim_get calls 0) + 1))
}

sim_initial_state() {
    local now
    now=$(sim_now)
    (umask 077 && : >"$RUNBOOK_SIM_STATE/commands.log")
    sim_set started "$now"
    sim_set calls 0
    # Helm releases: "revision epoch status app-version description", one a line. Revision 5 (2.5.0) is the
    # latest release: in the outage scenario it went out 14 minutes ago and broke backend-api.
    local released=$((now - 14 * 60))
    [ "$RUNBOOK_SIM_SCENARIO" = outage ] || released=$((now - 3 * 86400))
    {
        echo "1 $((now - 41 * 86400)) superseded 2.3.0 Install complete"
        echo "2 $((now - 30 * 86400)) superseded 2.4.0 Upgrade complete"
        echo "3 $((now - 19 * 86400)) superseded 2.4.2 Upgrade complete"
        echo "4 $((now - 8 * 86400)) superseded 2.4.3 Upgrade complete"
        echo "5 $released deployed 2.5.0 Upgrade complete"
    } >"$RUNBOOK_SIM_STATE/helm-history"
    # Rollout history per release deployment: "revision epoch template", the template being the app version
    # plus any env the responder set ("2.5.0 READ_ONLY=true"). The last line is what runs.
    local deployment first
    for deployment in $SIM_RELEASE_DEPLOYMENTS; do
        case $deployment in website) first=2 ;; backend-api) first=5 ;; *) first=1 ;; esac
        {
            echo "$first $((now - 19 * 86400)) 2.4.2"
            echo "$((first + 1)) $((now - 8 * 86400)) 2.4.3"
            echo "$((first + 2)) $released 2.5.0"
        } >"$RUNBOOK_SIM_STATE/rollout-$deployment"
    done
    sim_set replicas-website 3
    sim_set replicas-backend-api 3
    sim_set replicas-paintbox-service 2
    sim_set replicas-analytics-dashboard 2
    sim_set replicas-brand-portal 1
    sim_set replicas-api-gateway 2
    sim_set hpa-max-website 6
    sim_set hpa-max-backend-api 8
    sim_set database up
    sim_set database-since $((now - 41 * 86400))
    case "$RUNBOOK_SIM_SCENARIO" in
    database)
        sim_set database down
        sim_set database-since $((now - 9 * 60))
        ;;
    high-load)
        # The autoscalers have already scaled to their maximum.
        sim_set replicas-website 6
        sim_set replicas-backend-api 8
        ;;
    esac
    echo "$RUNBOOK_SIM_SCENARIO" >"$RUNBOOK_SIM_STATE/scenario"
}

# --- the model -----------------------------------------------------------------------------------------------------

# The current rollout line of a release deployment: "revision epoch template…".
sim_current_rollout() {
    local line last=""
    while IFS= read -r line; do last=$line; done <"$RUNBOOK_SIM_STATE/rollout-$1"
    printf '%s\n' "$last"
}
sim_current_version() {
    local line
    line=$(sim_current_rollout "$1")
    line=${line#* * }
    printf '%s\n' "${line%% *}"
}
sim_current_revision() {
    local line
    line=$(sim_current_rollout "$1")
    printf '%s\n' "${line%% *}"
}

# sim_new_rollout DEPLOYMENT TEMPLATE: records a new revision running TEMPLATE. Like Kubernetes, an older revision
# with the same template is renumbered rather than kept twice.
sim_new_rollout() {
    local file="$RUNBOOK_SIM_STATE/rollout-$1" template=$2 next
    next=$(($(sim_current_revision "$1") + 1))
    awk -v t="$template" '{ rest = $0; sub(/^[^ ]+ [^ ]+ /, "", rest); if (rest != t) print }' "$file" >"$file.new"
    echo "$next $(sim_now) $template" >>"$file.new"
    mv "$file.new" "$file"
}

# Whether the deployment runs a template that crashes: backend-api 2.5.0 in the outage scenario.
sim_is_crashing() {
    [ "$RUNBOOK_SIM_SCENARIO" = outage ] && [ "$1" = backend-api ] &&
        [ "$(sim_current_version backend-api)" = 2.5.0 ]
}

sim_backend_read_only() {
    sim_current_rollout backend-api | grep -q 'READ_ONLY=true'
}

sim_database_up() { [ "$(sim_get database)" = up ]; }

# High load is over once website and backend-api run at least 15 and 20 replicas (the seed's numbers).
sim_load_level() {
    [ "$RUNBOOK_SIM_SCENARIO" = high-load ] || { echo normal; return; }
    local relieved=0
    [ "$(sim_get replicas-website)" -ge 15 ] && relieved=$((relieved + 1))
    [ "$(sim_get replicas-backend-api)" -ge 20 ] && relieved=$((relieved + 1))
    case $relieved in 2) echo relieved ;; 1) echo strained ;; *) echo overloaded ;; esac
}

# A stable pod-name suffix in Kubernetes' alphabet, from any text (FNV-1a in shell arithmetic: no forks).
# Sets SIM_SUFFIX; `sim_suffix TEXT [LENGTH]; echo "$SIM_SUFFIX"`.
sim_suffix() {
    local text=$1 length=${2:-5} alphabet=bcdfghjklmnpqrstvwxz2456789 hash=2166136261 i code
    for ((i = 0; i < ${#text}; i++)); do
        printf -v code '%d' "'${text:i:1}"
        hash=$(((hash ^ code) * 16777619 & 0xFFFFFFFF))
    done
    SIM_SUFFIX=""
    for ((i = 0; i < length; i++)); do
        SIM_SUFFIX+=${alphabet:hash % 27:1}
        hash=$(((hash / 27 + hash * 7919 + i) & 0xFFFFFFFF))
    done
}

# Pod names of a deployment as they are now (the template hash changes with the template).
sim_pods_of() {
    local deployment=$1 template hash count i
    case $deployment in
    candlefish-postgresql) echo candlefish-postgresql-0; return ;;
    candlefish-redis-master) echo candlefish-redis-master-0; return ;;
    esac
    if [ -f "$RUNBOOK_SIM_STATE/rollout-$deployment" ]; then
        template=$(sim_current_rollout "$deployment" | cut -d' ' -f3-)
    else
        template=stable
    fi
    sim_suffix "$deployment $template" 10
    hash=$SIM_SUFFIX
    count=$(sim_get "replicas-$deployment" 1)
    for ((i = 0; i < count; i++)); do
        sim_suffix "$deployment $template $i"
        echo "$deployment-$hash-$SIM_SUFFIX"
    done
}

# --- HTTP --------------------------------------------------------------------------------------------------------

# sim_http URL: prints "STATUS BODY" for a GET, or "refused" / "unknown". Shared by curl and `kubectl exec … curl`.
sim_http() {
    local url=$1
    case "$url" in
    https://candlefish.ai/health | https://staging.candlefish.ai/health | https://dev.candlefish.ai/health)
        if [ "$(sim_get replicas-website)" -eq 0 ]; then
            echo '503 <html><head><title>503 Service Temporarily Unavailable</title></head></html>'
        elif sim_is_crashing backend-api || [ "$(sim_get replicas-backend-api)" -eq 0 ]; then
            echo '503 {"status":"unhealthy","checks":{"website":"ok","backend-api":"unavailable"}}'
        else
            echo '200 {"status":"ok","checks":{"website":"ok","backend-api":"ok"}}'
        fi
        ;;
    https://api.candlefish.ai/health | https://api.staging.candlefish.ai/health | https://api.dev.candlefish.ai/health | http://localhost:8000/health | http://backend-api:8000/health)
        if sim_is_crashing backend-api || [ "$(sim_get replicas-backend-api)" -eq 0 ]; then
            case "$url" in
            https://*) echo '502 <html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>' ;;
            *) echo refused ;;
            esac
        elif ! sim_database_up && sim_backend_read_only; then
            echo '200 {"status":"degraded","database":"unreachable","read_only":true}'
        elif ! sim_database_up; then
            echo '503 {"status":"unhealthy","database":"unreachable","read_only":false}'
        else
            echo '200 {"status":"ok","database":"ok","read_only":'"$(sim_backend_read_only && echo true || echo false)"'}'
        fi
        ;;
    http://localhost:3000/api/health) echo '200 {"status":"ok","service":"website"}' ;;
    # The services listen on 3000 and 8000, not 80: the seed's "health check all services" loop is refused.
    http://localhost/health | http://localhost:80/health) echo refused ;;
    *) echo unknown ;;
    esac
}

# --- resources ---------------------------------------------------------------------------------------------------

# CPU limit per pod in millicores; usage is measured against it (90 % is the alert threshold).
sim_cpu_limit() {
    case $1 in website) echo 500 ;; backend-api) echo 1000 ;; candlefish-postgresql) echo 2000 ;; *) echo 250 ;; esac
}
sim_memory_limit_mib() {
    case $1 in website) echo 512 ;; backend-api) echo 1024 ;; candlefish-postgresql) echo 4096 ;; *) echo 256 ;; esac
}

# Whether a deployment under high load has been scaled far enough (website 15, backend-api 20).
sim_scaled_enough() {
    case $1 in
    website) [ "$(sim_get replicas-website)" -ge 15 ] ;;
    backend-api) [ "$(sim_get replicas-backend-api)" -ge 20 ] ;;
    *) return 0 ;;
    esac
}

# CPU use of one pod of DEPLOYMENT, in millicores.
sim_pod_cpu_millicores() {
    local deployment=$1
    if sim_is_crashing "$deployment"; then echo 1; return; fi
    if [ "$RUNBOOK_SIM_SCENARIO" = high-load ] && { [ "$deployment" = website ] || [ "$deployment" = backend-api ]; }; then
        if sim_scaled_enough "$deployment"; then
            case $deployment in website) echo 262 ;; *) echo 561 ;; esac
        else
            case $deployment in website) echo 472 ;; *) echo 968 ;; esac
        fi
        return
    fi
    case $deployment in website) echo 85 ;; backend-api) echo 140 ;; candlefish-postgresql) echo 310 ;; *) echo 12 ;; esac
}

sim_pod_memory_mib() {
    local deployment=$1
    if sim_is_crashing "$deployment"; then echo 38; return; fi
    if [ "$RUNBOOK_SIM_SCENARIO" = high-load ] && ! sim_scaled_enough "$deployment"; then
        case $deployment in website) echo 468 ;; backend-api) echo 934 ;; esac
        case $deployment in website | backend-api) return ;; esac
    fi
    case $deployment in website) echo 210 ;; backend-api) echo 384 ;; candlefish-postgresql) echo 1210 ;; *) echo 64 ;; esac
}
