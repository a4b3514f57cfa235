import RunbookServe
import Testing

@Suite struct AlertRunbookMatcherTests {
    let matcher = AlertRunbookMatcher(ids: [
        "alerts/etcd/EtcdDown", "outage", "KubePodCrashLooping", "a/Dup", "b/Dup",
    ])

    @Test func theRunbookURLMatchesALocalRunbookByPathSuffix() {
        #expect(
            matcher.match(url: "https://github.com/openshift/runbooks/blob/master/alerts/etcd/EtcdDown.md")
                == "alerts/etcd/EtcdDown")
        #expect(matcher.match(url: "https://runbooks.example.com/KubePodCrashLooping/") == "KubePodCrashLooping")
        #expect(matcher.match(url: "https://runbooks.example.com/kubepodcrashlooping") == "KubePodCrashLooping")
    }

    @Test func aURLMatchingNoRunbookOrTwoEquallyMatchesNone() {
        #expect(matcher.match(url: "https://example.com/runbooks/Unknown.md") == nil)
        #expect(matcher.match(url: "https://example.com/c/Dup.md") == nil)
        #expect(matcher.match(url: "https://example.com/b/Dup.md") == "b/Dup")
        // A partial file name is no match.
        #expect(matcher.match(url: "https://example.com/EtcdDownNow.md") == nil)
    }

    @Test func aRunbookLabelNamesTheRunbookFirst() {
        #expect(
            matcher.runbook(
                labels: ["runbook": "outage"],
                annotations: ["runbook_url": "https://example.com/alerts/etcd/EtcdDown.md"]) == "outage")
        #expect(
            matcher.runbook(labels: [:], annotations: ["runbook_url": "https://example.com/alerts/etcd/EtcdDown.md"])
                == "alerts/etcd/EtcdDown")
        #expect(matcher.runbook(labels: [:], annotations: [:]) == nil)
    }
}
