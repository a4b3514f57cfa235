import Foundation
import RunbookKit
import Testing

@Suite struct HeadingSlugTests {
    @Test func followsGitHubAnchorRules() {
        #expect(HeadingSlug.anchor(for: "Check Service Status") == "check-service-status")
        #expect(
            HeadingSlug.anchor(for: "1. Infrastructure Deployment (Terraform)")
                == "1-infrastructure-deployment-terraform")
        #expect(HeadingSlug.anchor(for: "Ingress/Load Balancer Issues") == "ingressload-balancer-issues")
        #expect(HeadingSlug.anchor(for: "A & B") == "a--b")
    }

    @Test func repeatedHeadingsAreNumberedLikeGitHub() {
        var uniquer = HeadingSlug.Uniquer()
        #expect(["FAQ", "FAQ", "FAQ"].map { uniquer.anchor(for: $0) } == ["faq", "faq-1", "faq-2"])
    }

    @Test func stepIDsCollapseHyphens() {
        #expect(HeadingSlug.stepID(for: "A & B") == "a-b")
        #expect(HeadingSlug.stepID(for: "¿?") == "step")
        #expect(HeadingSlug.stepID(for: "Open a thread in incident response", maximumLength: 20) == "open-a-thread-in")
        #expect(HeadingSlug.stepID(for: "Supercalifragilistic", maximumLength: 5) == "super")
    }
}
