# Sourced by bin/kubectl: the verbs that only look (get, describe, logs, top) and the tables and texts they print.
# The verbs that change the simulated cluster stay in bin/kubectl.

pod_table() {
    local app workload pod index ready status restarts since scaled_from scaled_at
    app=$(selected_app)
    printf '%-44s %-7s %-18s %-15s %s\n' NAME READY STATUS RESTARTS AGE
    for workload in $(all_workloads); do
        [ -z "$app" ] || [ "$workload" = "$(workload_of_app "$app")" ] || continue
        index=0
        IFS='|' read -r ready status restarts since <<<"$(pod_state "$workload")"
        scaled_from=$(sim_get "scaled-from-$workload" 9999)
        scaled_at=$(sim_get "scaled-at-$workload")
        for pod in $(sim_pods_of "$workload"); do
            [ "$index" -lt "$scaled_from" ] || [ "$status" != Running ] || since=$scaled_at
            printf '%-44s %-7s %-18s %-15s %s\n' "$pod" "$ready" "$status" "$restarts" "$(sim_age_since "$since")"
            index=$((index + 1))
        done
    done
}

system_pod_table() {
    printf '%-44s %-7s %-18s %-15s %s\n' NAME READY STATUS RESTARTS AGE
    local pod
    for pod in aws-node-4xk2p aws-node-9fz7q aws-node-t2w8m coredns-5b8cc885bc-7dnqs coredns-5b8cc885bc-kx9vb \
        kube-proxy-2hlbx kube-proxy-8qwzt kube-proxy-fm4rk ebs-csi-controller-6d8f4c8b7-rv6tn \
        metrics-server-7f4db5fd87-z5pjc; do
        printf '%-44s %-7s %-18s %-15s %s\n' "$pod" "$([[ $pod == aws-node* ]] && echo 2/2 || echo 1/1)" Running 0 41d
    done
}

pods_yaml() {
    local workload pod
    echo "apiVersion: v1"
    echo "kind: List"
    echo "items:"
    for workload in $(all_workloads); do
        for pod in $(sim_pods_of "$workload"); do
            cat <<YAML
- apiVersion: v1
  kind: Pod
  metadata:
    name: $pod
    namespace: $ns
    labels:
      app: ${workload#candlefish-}
  spec:
    containers:
    - name: ${workload#candlefish-}
      image: ghcr.io/candlefish-ai/${workload}:$(is_release_deployment "$workload" && sim_current_version "$workload" || echo 2.5.0)
      resources:
        limits:
          cpu: $(sim_cpu_limit "$workload")m
          memory: $(sim_memory_limit_mib "$workload")Mi
YAML
        done
    done
}

service_table() {
    local workload i=10
    printf '%-28s %-10s %-16s %-12s %-12s %s\n' NAME TYPE CLUSTER-IP EXTERNAL-IP PORT\(S\) AGE
    for workload in $(all_workloads); do
        printf '%-28s %-10s %-16s %-12s %-12s %s\n' "$workload" ClusterIP "10.100.42.$i" "<none>" \
            "$(service_port "$workload")/TCP" 41d
        i=$((i + 7))
    done
}

hpa_table() {
    local deployment current max usage
    printf '%-14s %-26s %-16s %-9s %-9s %-10s %s\n' NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE
    for deployment in website backend-api; do
        current=$(sim_get "replicas-$deployment")
        max=$(sim_get "hpa-max-$deployment")
        usage=$(($(sim_pod_cpu_millicores "$deployment") * 100 / $(sim_cpu_limit "$deployment")))
        printf '%-14s %-26s %-16s %-9s %-9s %-10s %s\n' "$deployment" "Deployment/$deployment" "cpu: $usage%/70%" \
            "$([ "$deployment" = website ] && echo 2 || echo 3)" "$max" "$current" 41d
    done
}

node_cpu_percent() {
    case $(sim_load_level) in overloaded) echo 95 ;; strained) echo 83 ;; relieved) echo 61 ;; *) echo 34 ;; esac
}

top_nodes() {
    local node cpu
    cpu=$(node_cpu_percent)
    printf '%-46s %-12s %-6s %-15s %s\n' NAME 'CPU(cores)' CPU% 'MEMORY(bytes)' MEMORY%
    for node in $SIM_NODES; do
        printf '%-46s %-12s %-6s %-15s %s\n' "$node" "$((cpu * 40 - 37))m" "$cpu%" "$((cpu * 110 + 2100))Mi" \
            "$(((cpu * 110 + 2100) * 100 / 15600))%"
    done
}

top_pods() {
    local workload pod cpu memory
    {
        for workload in $(all_workloads); do
            cpu=$(sim_pod_cpu_millicores "$workload")
            memory=$(sim_pod_memory_mib "$workload")
            for pod in $(sim_pods_of "$workload"); do printf '%s %s %s\n' "$pod" "$cpu" "$memory"; done
        done
    } | case $sort_by in
        cpu) sort -k2,2nr ;;
        memory) sort -k3,3nr ;;
        "") cat ;;
        *) sim_die_not_simulated "--sort-by=$sort_by" ;;
        esac | awk 'BEGIN { printf "%-44s %-12s %s\n", "NAME", "CPU(cores)", "MEMORY(bytes)" }
                    { printf "%-44s %-12s %s\n", $1, $2 "m", $3 "Mi" }'
}

stamp() { date -u +%Y-%m-%dT%H:%M:%S.%3NZ; }

crash_log() {
    cat <<'LOG'
INFO:     Started server process [1]
INFO:     Waiting for application startup.
ERROR:    Traceback (most recent call last):
  File "/app/.venv/lib/python3.12/site-packages/starlette/routing.py", line 732, in lifespan
    async with self.lifespan_context(app) as maybe_state:
  File "/app/candlefish/main.py", line 41, in lifespan
    settings = Settings()
  File "/app/.venv/lib/python3.12/site-packages/pydantic_settings/main.py", line 167, in __init__
    super().__init__(
pydantic_core._pydantic_core.ValidationError: 1 validation error for Settings
paintbox_service_url
  Field required [type=missing, input_value={'database_url': '***', 'redis_url': '***'}, input_type=dict]
ERROR:    Application startup failed. Exiting.
LOG
}

workload_log() {
    local workload=$1 t
    t=$(stamp)
    case $workload in
    candlefish-postgresql)
        if sim_database_up && [ "$RUNBOOK_SIM_SCENARIO" = database ]; then
            echo "postgresql 09:41:07.12 INFO  ==> ** Starting PostgreSQL **"
            echo "$t [1] LOG:  starting PostgreSQL 15.6 on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit"
            echo "$t [1] LOG:  listening on IPv4 address \"0.0.0.0\", port 5432"
            echo "$t [74] LOG:  database system was interrupted; last known up at $t"
            echo "$t [74] LOG:  database system was not properly shut down; automatic recovery in progress"
            echo "$t [74] LOG:  redo done at 0/3A1F2C8"
            echo "$t [1] LOG:  database system is ready to accept connections"
        elif sim_database_up; then
            echo "$t [1] LOG:  database system is ready to accept connections"
            echo "$t [9821] LOG:  checkpoint complete: wrote 412 buffers (2.5%); write=41.2 s, sync=0.004 s, total=41.3 s"
        else
            echo "postgresql 09:38:51.04 INFO  ==> ** Starting PostgreSQL **"
            echo "$t [1] LOG:  starting PostgreSQL 15.6 on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit"
            echo "$t [1] FATAL:  could not map anonymous shared memory: Cannot allocate memory"
            echo "$t [1] HINT:  This error usually means that PostgreSQL's request for a shared memory segment exceeded available memory, swap space, or huge pages. To reduce the request size (currently 1157627904 bytes), reduce PostgreSQL's shared memory usage, perhaps by reducing shared_buffers or max_connections."
            echo "$t [1] LOG:  database system is shut down"
        fi
        ;;
    backend-api)
        if sim_is_crashing backend-api; then
            crash_log
        elif ! sim_database_up && sim_backend_read_only; then
            echo "$t WARNING read-only mode: refused POST /api/v1/projects (503)"
            echo "$t INFO    GET /api/v1/projects 200 41ms"
        elif ! sim_database_up; then
            for _ in 1 2 3; do
                echo "$t ERROR   psycopg2.OperationalError: connection to server at \"candlefish-postgresql\" (10.100.42.45), port 5432 failed: Connection refused"
                echo "$t ERROR   GET /api/v1/projects 503 3ms"
            done
        elif [ "$(sim_load_level)" = overloaded ] || [ "$(sim_load_level)" = strained ]; then
            echo "$t WARNING slow request: GET /api/v1/render 200 3812ms"
            echo "$t ERROR   upstream timeout after 5000ms: POST /api/v1/render 504"
            echo "$t WARNING slow request: GET /api/v1/projects 200 2291ms"
        else
            echo "$t INFO    GET /health 200 2ms"
            echo "$t INFO    GET /api/v1/projects 200 38ms"
        fi
        ;;
    website)
        if sim_is_crashing backend-api; then
            echo "$t ERROR  [api] fetch failed: connect ECONNREFUSED backend-api:8000 (GET /api/v1/projects)"
            echo "$t ERROR  [health] backend-api unavailable"
        else
            echo "$t INFO   ready - started server on 0.0.0.0:3000"
            echo "$t INFO   GET /api/health 200 3ms"
        fi
        ;;
    *) echo "$t INFO   GET /health 200 1ms" ;;
    esac
}

do_get() {
    case $what in
    pods | pod | po)
        if [ "$ns" = kube-system ]; then system_pod_table; return; fi
        require_namespace
        if [ "$output" = yaml ]; then pods_yaml; return; fi
        [ -z "$output" ] || sim_die_not_simulated "-o $output"
        pod_table
        # A watch would keep printing changes; the simulator shows the table once and returns.
        ;;
    services | service | svc) require_namespace; service_table ;;
    ingress | ingresses | ing)
        require_namespace
        local h
        h=$(hosts)
        printf '%-20s %-7s %-46s %-78s %-8s %s\n' NAME CLASS HOSTS ADDRESS PORTS AGE
        printf '%-20s %-7s %-46s %-78s %-8s %s\n' candlefish-ingress alb "${h// /,}" \
            "k8s-candlefi-candlefi-4f1c2e9a7b-1234567890.us-west-2.elb.amazonaws.com" "80, 443" 41d
        ;;
    hpa | horizontalpodautoscaler | horizontalpodautoscalers) require_namespace; hpa_table ;;
    all)
        require_namespace
        pod_table
        echo
        service_table
        echo
        local d
        printf '%-36s %-7s %-11s %-10s %s\n' NAME READY UP-TO-DATE AVAILABLE AGE
        for d in $SIM_DEPLOYMENTS; do
            local n available
            n=$(sim_get "replicas-$d")
            available=$n
            sim_is_crashing "$d" && available=0
            printf '%-36s %-7s %-11s %-10s %s\n' "deployment.apps/$d" "$available/$n" "$n" "$available" 41d
        done
        echo
        hpa_table | sed '2,$s/^/horizontalpodautoscaler.autoscaling\//'
        ;;
    nodes | node | no)
        local node i=23
        if [ "$output" = wide ]; then
            printf '%-46s %-7s %-7s %-5s %-20s %-12s %-14s %-16s %s\n' NAME STATUS ROLES AGE VERSION INTERNAL-IP EXTERNAL-IP OS-IMAGE KERNEL-VERSION
        else
            printf '%-46s %-7s %-7s %-5s %s\n' NAME STATUS ROLES AGE VERSION
        fi
        for node in $SIM_NODES; do
            if [ "$output" = wide ]; then
                printf '%-46s %-7s %-7s %-5s %-20s %-12s %-14s %-16s %s\n' "$node" Ready "<none>" 12d \
                    v1.29.3-eks-ae9a62a "10.0.$((i % 3 + 1)).$i" "<none>" "Amazon Linux 2" 5.10.214-202.855.amzn2.x86_64
            else
                printf '%-46s %-7s %-7s %-5s %s\n' "$node" Ready "<none>" 12d v1.29.3-eks-ae9a62a
            fi
            i=$((i + 32))
        done
        ;;
    certificates | certificate | cert | certs)
        require_namespace
        printf '%-16s %-6s %-16s %s\n' NAME READY SECRET AGE
        printf '%-16s %-6s %-16s %s\n' candlefish-tls True candlefish-tls "$(sim_age_since "$(sim_get certificate-since $(($(sim_get started) - 52 * 86400)))")"
        ;;
    deployments | deployment | deploy)
        require_namespace
        local d n available
        printf '%-22s %-7s %-11s %-10s %s\n' NAME READY UP-TO-DATE AVAILABLE AGE
        for d in $SIM_DEPLOYMENTS; do
            n=$(sim_get "replicas-$d")
            available=$n
            sim_is_crashing "$d" && available=0
            printf '%-22s %-7s %-11s %-10s %s\n' "$d" "$available/$n" "$n" "$available" 41d
        done
        ;;
    *) sim_die_not_simulated ;;
    esac
}

do_describe() {
    case $what in
    pod | pods | po)
        require_namespace
        local workload ready status restarts since
        workload=$(workload_of_pod "$name")
        [ -n "$workload" ] || not_found "pods \"$name\" not found"
        IFS='|' read -r ready status restarts since <<<"$(pod_state "$workload")"
        cat <<DESCRIBE
Name:             $name
Namespace:        $ns
Priority:         0
Service Account:  candlefish
Node:             ${SIM_NODES%% *}/10.0.1.23
Labels:           app=${workload#candlefish-}
Status:           Running
Containers:
  ${workload#candlefish-}:
    Image:          ghcr.io/candlefish-ai/${workload}:$(is_release_deployment "$workload" && sim_current_version "$workload" || echo 2.5.0)
    Port:           $(service_port "$workload")/TCP
DESCRIBE
        if [ "$status" = CrashLoopBackOff ]; then
            cat <<DESCRIBE
    State:          Waiting
      Reason:       CrashLoopBackOff
    Last State:     Terminated
      Reason:       Error
      Exit Code:    $([ "$workload" = candlefish-postgresql ] && echo 1 || echo 3)
    Ready:          False
    Restart Count:  ${restarts%% *}
    Limits:
      cpu:     $(sim_cpu_limit "$workload")m
      memory:  $(sim_memory_limit_mib "$workload")Mi
Events:
  Type     Reason     Age                  From     Message
  ----     ------     ----                 ----     -------
  Normal   Pulled     3m (x${restarts%% *} over 14m)  kubelet  Container image already present on machine
  Warning  BackOff    41s (x52 over 13m)   kubelet  Back-off restarting failed container ${workload#candlefish-} in pod ${name}_$ns
DESCRIBE
        else
            cat <<DESCRIBE
    State:          Running
    Ready:          True
    Restart Count:  0
    Limits:
      cpu:     $(sim_cpu_limit "$workload")m
      memory:  $(sim_memory_limit_mib "$workload")Mi
Events:           <none>
DESCRIBE
        fi
        ;;
    ingress | ing)
        require_namespace
        [ "$name" = candlefish-ingress ] || not_found "ingresses.networking.k8s.io \"$name\" not found"
        local website api
        read -r website api <<<"$(hosts)"
        cat <<DESCRIBE
Name:             candlefish-ingress
Namespace:        $ns
Address:          k8s-candlefi-candlefi-4f1c2e9a7b-1234567890.us-west-2.elb.amazonaws.com
Ingress Class:    alb
Rules:
  Host                        Path  Backends
  ----                        ----  --------
  $website       /     website:3000 ($(sim_pods_of website | wc -l) endpoints)
  $api   /     backend-api:8000 ($(sim_is_crashing backend-api && echo 0 || sim_pods_of backend-api | wc -l) endpoints)
Annotations:      alb.ingress.kubernetes.io/scheme: internet-facing
                  alb.ingress.kubernetes.io/healthcheck-path: /health
Events:           <none>
DESCRIBE
        ;;
    node | nodes | no)
        local node
        for node in $SIM_NODES; do
            [ -z "$name" ] || [ "$name" = "$node" ] || continue
            describe_node "$node"
        done
        [ -z "$name" ] || case " $SIM_NODES " in *" $name "*) ;; *) not_found "nodes \"$name\" not found" ;; esac
        ;;
    certificate | certificates | cert)
        require_namespace
        [ "$name" = candlefish-tls ] || not_found "certificates.cert-manager.io \"$name\" not found"
        cat <<DESCRIBE
Name:         candlefish-tls
Namespace:    $ns
API Version:  cert-manager.io/v1
Kind:         Certificate
Spec:
  Dns Names:
$(for h in $(hosts); do echo "    $h"; done)
  Issuer Ref:
    Kind:       ClusterIssuer
    Name:       letsencrypt-prod
  Secret Name:  candlefish-tls
Status:
  Conditions:
    Message:               Certificate is up to date and has not expired
    Reason:                Ready
    Status:                True
    Type:                  Ready
  Not After:               $(date -u -d "@$(($(sim_get started) + 38 * 86400))" +%Y-%m-%dT%H:%M:%SZ)
  Renewal Time:            $(date -u -d "@$(($(sim_get started) + 8 * 86400))" +%Y-%m-%dT%H:%M:%SZ)
Events:                    <none>
DESCRIBE
        ;;
    secret | secrets)
        require_namespace
        [ "$name" = candlefish-database-secret ] || not_found "secrets \"$name\" not found"
        cat <<DESCRIBE
Name:         candlefish-database-secret
Namespace:    $ns
Labels:       app.kubernetes.io/managed-by=Helm
Annotations:  meta.helm.sh/release-name: ${ns}

Type:  Opaque

Data
====
DATABASE_URL:       86 bytes
POSTGRES_PASSWORD:  32 bytes
POSTGRES_USER:      10 bytes
DESCRIBE
        ;;
    resourcequota | resourcequotas | quota)
        require_namespace
        local pods
        pods=$(($(for w in $(all_workloads); do sim_pods_of "$w"; done | wc -l)))
        cat <<DESCRIBE
Name:            candlefish-quota
Namespace:       $ns
Resource         Used    Hard
--------         ----    ----
limits.cpu       $(($(for w in $(all_workloads); do for _ in $(sim_pods_of "$w"); do sim_cpu_limit "$w"; done; done | awk '{ s += $1 } END { print s }')))m  48
limits.memory    $(($(for w in $(all_workloads); do for _ in $(sim_pods_of "$w"); do sim_memory_limit_mib "$w"; done; done | awk '{ s += $1 } END { print s }')))Mi  96Gi
pods             $pods      60
services         8       20
DESCRIBE
        ;;
    *) sim_die_not_simulated ;;
    esac
}

describe_node() {
    local cpu
    cpu=$(node_cpu_percent)
    cat <<DESCRIBE
Name:               $1
Roles:              <none>
Labels:             eks.amazonaws.com/nodegroup=candlefish-general
                    node.kubernetes.io/instance-type=m6i.xlarge
Conditions:
  Type             Status  Reason                       Message
  ----             ------  ------                       -------
  MemoryPressure   $([ "$RUNBOOK_SIM_SCENARIO" = database ] && ! sim_database_up && echo "True    KubeletHasInsufficientMemory kubelet has insufficient memory available" || echo "False   KubeletHasSufficientMemory   kubelet has sufficient memory available")
  DiskPressure     False   KubeletHasNoDiskPressure     kubelet has no disk pressure
  Ready            True    KubeletReady                 kubelet is posting ready status
Capacity:
  cpu:     4
  memory:  15896Mi
Allocated resources:
  (Total limits may be over 100 percent, i.e., overcommitted.)
  Resource           Requests       Limits
  --------           --------       ------
  cpu                $((cpu * 38))m ($((cpu * 38 / 40))%)  $((cpu * 52))m ($((cpu * 52 / 40))%)
  memory             $((cpu * 120))Mi ($((cpu * 120 * 100 / 15896))%)  $((cpu * 160))Mi ($((cpu * 160 * 100 / 15896))%)
Events:              <none>

DESCRIBE
}

do_logs() {
    require_namespace
    local workload lines
    if [ -n "$what" ]; then
        workload=$(workload_of_pod "$what")
        [ -n "$workload" ] || not_found "pods \"$what\" not found"
        if $previous; then
            if sim_is_crashing "$workload"; then
                crash_log
            elif [ "$workload" = candlefish-postgresql ] && ! sim_database_up; then
                workload_log "$workload"
            else
                echo "Error from server (BadRequest): previous terminated container \"${workload#candlefish-}\" in pod \"$what\" not found" >&2
                exit 1
            fi
            return
        fi
        workload_log "$workload"
        return
    fi
    [ -n "$selector" ] || sim_die_not_simulated "logs needs a pod name or -l app=…"
    workload=$(workload_of_app "$(selected_app)")
    [ -n "$workload" ] || { echo "No resources found in $ns namespace." >&2; exit 0; }
    lines=$(for _ in $(sim_pods_of "$workload"); do workload_log "$workload"; done)
    if [ -n "$tail" ]; then lines=$(printf '%s\n' "$lines" | tail -n "$tail"); fi
    printf '%s\n' "$lines"
    # -f would keep following; the simulator prints what there is and returns.
}

do_top() {
    case $what in
    pods | pod | po) require_namespace; top_pods ;;
    nodes | node | no) top_nodes ;;
    *) sim_die_not_simulated ;;
    esac
}
