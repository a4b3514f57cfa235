/// Programs that runbooks commonly call, by name: how a `console` block written without `$ ` prompts is told from
/// one that holds only output (`RunbookBuilder.promptlessCommands`). A line of output that starts with one of these
/// words followed by a blank is rare; a line of a command that starts with none of them is read as output, which
/// runs nothing. The list is deliberately of programs, not of shell words that also start prose (`for`, `if`).
enum KnownPrograms {
    static let names: Set<String> = [
        // Kubernetes, OpenShift and their ecosystem
        "kubectl", "oc", "helm", "kustomize", "virtctl", "velero", "istioctl", "linkerd", "argocd", "tkn", "kn",
        "crictl", "ctr", "etcdctl", "openshift-install", "oc-mirror", "rosa", "ocm", "skopeo", "podman", "docker",
        "buildah", "runc", "k9s", "stern", "kubectx", "kubens",
        // Clouds and infrastructure
        "aws", "gcloud", "gsutil", "az", "ibmcloud", "terraform", "ansible", "ansible-playbook", "vault", "consul",
        "nomad",
        // Databases and queues
        "psql", "pg_dump", "pg_restore", "pg_isready", "mysql", "mysqladmin", "redis-cli", "mongo", "mongosh",
        "ceph", "rados", "rbd", "radosgw-admin",
        // Hosts and services
        "systemctl", "journalctl", "sudo", "ssh", "scp", "rsync", "chroot", "nsenter", "toolbox", "rpm-ostree",
        "dmesg", "sysctl", "timedatectl", "chronyc", "hostnamectl", "loginctl", "mount", "umount", "lsblk", "df",
        "du", "free", "top", "ps", "kill", "pkill", "uptime", "vmstat", "iostat", "lscpu", "lsof", "strace",
        // Network
        "curl", "wget", "ping", "dig", "nslookup", "host", "ip", "ss", "netstat", "tcpdump", "traceroute",
        "iptables", "nft", "nc", "openssl", "conntrack", "nmcli", "ovs-vsctl", "ovs-appctl", "ovn-nbctl",
        "ovn-sbctl",
        // Text and files
        "cat", "grep", "egrep", "jq", "yq", "head", "tail", "less", "ls", "find", "wc", "sort", "uniq", "cut",
        "awk", "sed", "tee", "xargs", "base64", "gzip", "tar", "stat", "cp", "mv", "rm", "mkdir", "touch", "chmod",
        "chown", "ln", "diff", "echo", "printf", "export", "watch", "date", "env", "git", "make",
    ]
}
