import ArgumentParser
import Foundation
import RunbookKit

/// `runbook keys`: the responder's signing key.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create or show your signing key (optional: resolve and handoff then sign the chain head).",
        discussion: """
            With a key, `resolve` and `handoff` record a chain.signed event: an Ed25519 signature of the \
            incident's chain head. `runbook verify` checks every signature, and `verify --trust FILE` \
            requires one by a key listed in FILE (lines printed by `runbook keys show`).

            The key lives at $RUNBOOK_SIGNING_KEY, else $XDG_CONFIG_HOME/runbook/signing.key, else \
            ~/.config/runbook/signing.key, mode 0600. See docs/transcript-schema.md, "Threat model".
            """,
        subcommands: [Init.self, Show.self])

    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create your signing key (never replaces one: exit 2 if it exists).")

        @Option(help: ArgumentHelp("Where to write it (default: see `runbook keys --help`).", valueName: "path"))
        var key: String?

        func run() throws {
            let path = key ?? SigningKey.defaultPath()
            let signingKey = SigningKey()
            try signingKey.save(to: path)
            print("created signing key \(path) (mode 0600)")
            Show.describe(signingKey.publicKey)
            print("share the public-key line with your team: `runbook verify ID --trust FILE` checks against it")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print your public key and its fingerprint.")

        @Option(help: ArgumentHelp("The key file (default: see `runbook keys --help`).", valueName: "path"))
        var key: String?

        func run() throws {
            let path = key ?? SigningKey.defaultPath()
            guard let signingKey = try SigningKey.load(path: path) else {
                throw SigningKeyError.unreadable(path: path, reason: "no such file; create it with `runbook keys init`")
            }
            Show.describe(signingKey.publicKey)
        }

        static func describe(_ key: PublicSigningKey) {
            print("public key: \(key.line(comment: ResponderIdentity.current().actor))")
            print("fingerprint: \(key.fingerprint)")
        }
    }
}
