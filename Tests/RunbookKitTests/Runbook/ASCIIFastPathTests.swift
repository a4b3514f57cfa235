import Foundation
import RunbookTestSupport
import Testing

@testable import RunbookKit

/// The byte-level scanners for ASCII text must agree with the Character-based ones they stand in for.
@Suite struct ASCIIFastPathTests {
    static let bundled: [Runbook] = {
        let directory = BuiltBinary.packageRoot.appendingPathComponent("runbooks").path
        return (try? RunbookCatalog(directory: directory).runbooks) ?? []
    }()

    /// Commands beyond the bundled ones: quoting, continuations, comments, SQL and separators.
    static let extraCommands = [
        "kubectl delete pod \"$POD\" -n ns; helm rollback web 3 && terraform apply",
        "k'ube'ctl scale deploy/web --replicas 0 | tee out",
        "psql -c 'drop table users;' # DROP TABLE in a comment",
        "echo truncate; TRUNCATE orders;\nDROP   DATABASE x",
        "psql -c \"DR\"'OP' TABLE t; echo \"it's\" \"/opt/HE\"LM uninstall x",
        "export A=1 B C=3; local -r D=4\nfor X in 1 2; do read -r Y Z <<< \"a b\"; done",
        "while read -a ARR -p 'x' LINE; do echo $LINE; done || true &\nE=5 cmd",
        "kubectl rollout \\\n  undo deploy/web # note\n# full comment\nhelm uninstall x",
        "echo \"unclosed 'quote\n/usr/bin/kubectl delete ns x",
        "psql -c '(DROP TABLE t)'; echo 1truncate; x-helm rollback r; a\"kubectl\" delete x",
        "echo xkubectl undelete; kubectl get pods/delete; helm_rollback; terraform plan -destroy",
        "",
        "\n\n",
    ]

    static var commands: [String] { bundled.flatMap(\.steps).map(\.command) + extraCommands }

    @Test func thereAreBundledCommandsToCompare() {
        #expect(Self.bundled.flatMap(\.steps).count > 50)
    }

    @Test func destructiveReasonsAreTheSameOnBytesAndCharacters() {
        for command in Self.commands {
            // A trailing non-ASCII comment changes nothing but sends the command down the Character path.
            let characterPath = command + "\n# é"
            #expect(ASCIIText.lines(command) != nil)
            #expect(ASCIIText.lines(characterPath) == nil)
            #expect(
                DestructiveCommandDetector.standard.matches(command).map(\.name)
                    == DestructiveCommandDetector.standard.matches(characterPath).map(\.name), "\(command)")
        }
    }

    @Test func assignedNamesAreTheSameOnBytesAndCharacters() {
        for command in Self.commands {
            #expect(
                VariableReferences.assignedNames(in: command)
                    == VariableReferences.assignedNames(in: command + "\n# é"),
                "\(command)")
        }
    }

    @Test func headingAnchorsAndStepIDsAreTheSameOnBytesAndCharacters() {
        let headings =
            Self.bundled.flatMap(\.sections).map(\.title) + [
                "Check Service Status", "1. Pod Startup Failures", "  Spaces  and\ttabs ", "Mixed_CASE-words!?",
                "a--b---c", "---", "", "x" + String(repeating: " word", count: 20), "- lead and trail -",
                "Step 2: **Check** `pods` (a/b) -- now!", "_under_ -_- ", "UPPER Case 123",
            ]
        for heading in headings where ASCIIText.isASCII(heading) {
            #expect(HeadingSlug.asciiAnchor(for: heading) == HeadingSlug.anchorByCharacters(for: heading), "\(heading)")
            let anchor = HeadingSlug.anchor(for: heading)
            for length in [8, 48, Int.max] {
                #expect(
                    HeadingSlug.asciiStepID(heading: heading, maximumLength: length)
                        == HeadingSlug.stepIDByCharacters(anchor: anchor, maximumLength: length), "\(heading)")
            }
        }
    }

    @Test func linkedFilesAreFoundWhereNSStringPathsPutThem() {
        let paths = [
            "runbooks/outage.md", "./outage.md", "outage.md", "/abs/dir/outage.md", "/outage.md", "a//b/outage.md",
            "dir/sub/", "", "/", "a/./b.md",
        ]
        for path in paths {
            let directory = (path as NSString).deletingLastPathComponent
            let expected =
                directory.isEmpty ? "rollback.md" : (directory as NSString).appendingPathComponent("rollback.md")
            #expect(Linter.file(named: "rollback.md", nextTo: path) == expected, "\(path)")
        }
    }

    @Test func asciiCheckFindsANonASCIIByteAtEveryPosition() {
        for length in 0..<20 {
            let plain = String(repeating: "a", count: length)
            #expect(ASCIIText.isASCII(plain))
            #expect(ASCIIText.isASCII(plain.dropFirst(min(1, length))))
            for position in 0..<length {
                var characters = Array(plain)
                characters[position] = "é"
                let text = String(characters)
                #expect(!ASCIIText.isASCII(text), "\(text)")
                #expect(ASCIIText.isASCII(text.dropFirst(position + 1)) == true, "\(text)")
                #expect(!ASCIIText.isASCII(text.dropFirst(position)), "\(text)")
            }
        }
        // A bridged string may not be stored contiguously; the byte-by-byte check answers for it.
        #expect(!ASCIIText.isASCII(NSString(string: "naïve") as String))
        #expect(ASCIIText.isASCII(NSString(string: "plain text, long enough for words") as String))
    }

    @Test func caseInsensitiveHeaderMatchingAgreesWithFoundation() {
        let pairs = [
            ("Severity", "Severity"), ("SEVERITY", "Severity"), ("severity ", "Severity"), ("Severit", "Severity"),
            ("Escalation", "escalation"), ("Éscalation", "Escalation"), ("ß", "SS"), ("", ""), ("@", "`"),
        ]
        for (text, other) in pairs {
            #expect(
                ASCIIText.equalIgnoringCase(text, other) == (text.caseInsensitiveCompare(other) == .orderedSame),
                "\(text) \(other)")
        }
    }

    @Test func choiceDetailsAreTrimmedAsFoundationTrimsThem() {
        let set = CharacterSet(charactersIn: " \t—–-:")
        let texts = [
            "", " ", " — details", ": why -", "–\tboth ends\t–", "plain", "-\u{301}combining", "é — ", " :-: ",
            "inner - dash", "\u{00A0}nbsp\u{00A0}",
        ]
        for text in texts {
            #expect(RunbookBuilder.trimmingDetailPunctuation(text) == text.trimmingCharacters(in: set), "\(text)")
        }
    }

    @Test func runbookIDsComeFromTheFileNameAsNSStringNamesIt() throws {
        for path in ["runbooks/outage.md", "outage.md", "./a//outage.md", "/outage.md", "dir/OUTAGE.MD", "dir/notes"] {
            let parsed = RunbookParser.parseWithDiagnostics(text: "# T\n", path: path)
            let name = (path as NSString).lastPathComponent
            #expect(parsed.runbook.id == (name.lowercased().hasSuffix(".md") ? String(name.dropLast(3)) : name))
        }
    }
}
