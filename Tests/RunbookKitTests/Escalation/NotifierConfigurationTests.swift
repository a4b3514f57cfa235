import Foundation
import Testing

@testable import RunbookKit

@Suite struct NotifierConfigurationTests {
    @Test func readsEveryChannelTypeAndTheDeliverySettings() throws {
        let yaml = """
            timeout: 3s
            repeats: 5
            retry:
              max_attempts: 4
              initial_backoff: 1s
              max_backoff: 1m
              give_up_after: 30m
            calendar:
              time_zone: Europe/London
              working_days: [mon, tue, wed, thu]
              working_hours: 08:30-16:30
              holidays: [2026-12-25]
            notifiers:
              - type: slack
                name: ops-alerts
                url_env: SLACK_WEBHOOK_URL
                notify_on: [escalation, severity_upgrade]
              - type: pagerduty
                routing_key_env: PAGERDUTY_ROUTING_KEY
                endpoint: http://127.0.0.1:9/v2/enqueue
                drills: true
              - type: exec
                name: email
                command: [scripts/notify-email, --to, ops@example.com]
                timeout: 20s
            """
        let configuration = try NotifierConfiguration(yaml: yaml, path: "runbooks/notifiers.yaml")
        #expect(configuration.attemptTimeout == 3)
        #expect(configuration.repeatLimit == 5)
        #expect(
            configuration.retry == RetryPolicy(maxAttempts: 4, initialBackoff: 1, maxBackoff: 60, giveUpAfter: 1800))
        #expect(configuration.calendar.timeZone.identifier == "Europe/London")
        #expect(configuration.calendar.workingWeekdays == [2, 3, 4, 5])
        #expect(configuration.calendar.openingMinute == 510 && configuration.calendar.closingMinute == 990)
        #expect(configuration.calendar.holidays == [BusinessCalendar.LocalDate(year: 2026, month: 12, day: 25)])
        #expect(
            configuration.channels == [
                .slack(
                    name: "ops-alerts", urlVariable: "SLACK_WEBHOOK_URL", kinds: [.escalation, .severityUpgrade],
                    drills: false),
                .pagerDuty(
                    name: "pagerduty", routingKeyVariable: "PAGERDUTY_ROUTING_KEY",
                    endpoint: URL(string: "http://127.0.0.1:9/v2/enqueue")!, dedupKeyPrefix: "runbook-", drills: true),
                .exec(
                    name: "email", command: ["scripts/notify-email", "--to", "ops@example.com"],
                    kinds: Set(EscalationNotification.Kind.allCases), timeout: 20, drills: false),
            ])
    }

    @Test func secretsComeFromTheNamedEnvironmentVariables() throws {
        let configuration = try NotifierConfiguration(
            yaml: """
                notifiers:
                  - {type: slack, url_env: HOOK}
                  - {type: pagerduty, routing_key_env: PD_KEY}
                """, path: "n.yaml")
        let notifiers = configuration.makeNotifiers(environment: ["HOOK": "http://127.0.0.1:1/hook", "PD_KEY": "k"])
        #expect((notifiers[0] as? SlackNotifier)?.webhookURL == URL(string: "http://127.0.0.1:1/hook"))
        #expect((notifiers[1] as? PagerDutyNotifier)?.routingKey == "k")
        #expect(configuration.missingSecrets(environment: ["HOOK": "x"]) == ["PD_KEY"])
    }

    @Test func anExecHookNamesItsOwnVariablesAndEveryNamedVariableIsASecret() throws {
        let configuration = try NotifierConfiguration(
            yaml: """
                notifiers:
                  - {type: slack, url_env: HOOK}
                  - {type: exec, name: mail, command: [notify-mail], env: [SMTP_PASSWORD, SMTP_USER]}
                """, path: "n.yaml")
        let exec = try #require(configuration.makeNotifiers()[1] as? ExecNotifier)
        #expect(exec.environmentVariables == ["SMTP_PASSWORD", "SMTP_USER"])
        #expect(configuration.secretVariables == ["HOOK", "SMTP_PASSWORD", "SMTP_USER"])
        let redactor = Redactor()
        configuration.registerSecrets(
            with: redactor, environment: ["HOOK": "hook-value-123", "SMTP_PASSWORD": "smtp-pw-456"])
        #expect(redactor.redact("a hook-value-123 b smtp-pw-456") == "a [REDACTED:HOOK] b [REDACTED:SMTP_PASSWORD]")
        let refused = try #require(throws: ConfigurationError.self) {
            try NotifierConfiguration(
                yaml: "notifiers:\n  - {type: exec, command: [x], env: [\"https://hooks.example/x\"]}\n", path: "n.yaml"
            )
        }
        #expect(refused.summary.contains("`env` must name an environment variable"), "\(refused.summary)")
    }

    @Test func aYAMLAliasBombIsRefusedBeforeYamsExpandsIt() throws {
        var yaml = "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
        for level in 1...9 {
            yaml +=
                "l\(level): &l\(level) ["
                + Array(repeating: "*\(level == 1 ? "a" : "l\(level - 1)")", count: 9).joined(separator: ", ") + "]\n"
        }
        yaml += "notifiers: []\n"
        let error = try #require(throws: ConfigurationError.self) {
            try NotifierConfiguration(yaml: yaml, path: "runbooks/notifiers.yaml")
        }
        #expect(error.summary.contains("may not use YAML aliases"), "\(error.summary)")
        #expect(error.description.hasPrefix("runbooks/notifiers.yaml:2:"), "\(error)")
    }

    @Test func aLiteralWebhookURLIsRefusedWithItsLine() throws {
        let yaml = """
            notifiers:
              - type: slack
                url: https://hooks.slack.com/services/T000/B000/XXXX
            """
        let error = try #require(throws: ConfigurationError.self) {
            try NotifierConfiguration(yaml: yaml, path: "runbooks/notifiers.yaml")
        }
        #expect(error.summary.contains("secret"))
        #expect(error.location?.line == 3)
        #expect(error.hint?.contains("url_env") == true)
        #expect(error.description.hasPrefix("runbooks/notifiers.yaml:3:"))
    }

    @Test(arguments: [
        "  - {type: slack, url_env: \"https://hooks.slack.com/services/T000/B000/XXXX\"}",
        "  - {type: pagerduty, routing_key_env: e93facc04764012d7bfb002500d5d1a6}",
        "  - {type: pagerduty, routing_key: R0UTINGKEY}",
        "  - {type: pagerduty, routing_key_env: R0abcDEFghiJKLmnoPQRstuV12}",
    ])
    func aSecretWrittenWhereAVariableNameBelongsIsRefused(line: String) throws {
        let error = try #require(throws: ConfigurationError.self) {
            try NotifierConfiguration(yaml: "notifiers:\n" + line, path: "n.yaml")
        }
        #expect(error.summary.contains("secret"))
    }

    @Test func unknownTypesKeysAndBadValuesAreExplained() throws {
        let cases: [(String, String)] = [
            ("notifiers:\n  - {type: email}", "unknown notifier type"),
            ("notifiers:\n  - {type: slack, url_env: A, colour: red}", "unknown key `colour`"),
            ("notifiers:\n  - {type: exec, command: \"mail -s hi ops\"}", "list of words"),
            ("notifiers:\n  - {type: slack}", "no `url_env`"),
            ("repeats: 12", "between 0 and 9"),
            ("timeout: soon", "duration"),
            ("calendar:\n  time_zone: Mars/Olympus", "unknown time zone"),
            ("calendar:\n  working_hours: 17:00-09:00", "working_hours"),
            ("notifiers:\n  - {type: slack, url_env: A, notify_on: [page]}", "unknown notification kind"),
            ("notifiers:\n  - {type: slack, url_env: A}\n  - {type: slack, url_env: B}", "two notifiers"),
            ("notifiers: [", "not valid YAML"),
        ]
        for (yaml, expected) in cases {
            let error = try #require(throws: ConfigurationError.self) {
                try NotifierConfiguration(yaml: yaml, path: "n.yaml")
            }
            #expect(error.summary.contains(expected), "\(yaml) → \(error.summary)")
            #expect(error.exitStatus == .usage)
        }
    }

    @Test func anUnknownKeyIsReportedAtTheKeyWithTheKnownKeys() throws {
        let yaml = "notifiers:\n  - type: slack\n    url_env: A\n    colour: red\n"
        let error = try #require(throws: ConfigurationError.self) {
            try NotifierConfiguration(yaml: yaml, path: "runbooks/notifiers.yaml")
        }
        #expect(
            error.description == "runbooks/notifiers.yaml:4:5: error: unknown key `colour` in a notifier\n"
                + "  hint: known keys here: type, name, url_env, notify_on, drills")
    }

    @Test func withoutAFileOnlyTheTerminalIsNotified() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let configuration = try NotifierConfiguration.load(runbooksDirectory: directory.path)
        #expect(configuration.channels.isEmpty)
        #expect(configuration.repeatLimit == 3)
    }

    @Test func theCommittedExampleParses() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let path = root.appendingPathComponent("runbooks/notifiers.example.yaml").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let configuration = try NotifierConfiguration(yaml: text, path: path)
        #expect(configuration.channels.count == 3)
    }

    @Test func backoffDoublesUpToTheCap() {
        let policy = RetryPolicy(maxAttempts: 6, initialBackoff: 2, maxBackoff: 10)
        #expect((1...5).map { policy.delay(afterAttempt: $0) } == [2, 4, 8, 10, 10])
    }

    @Test func backoffIsSpreadByTheJitterAndStillCapped() {
        let policy = RetryPolicy(maxAttempts: 6, initialBackoff: 2, maxBackoff: 10, jitter: 0.2)
        #expect(policy.delay(afterAttempt: 2, random: 0) == 3.2)
        #expect(policy.delay(afterAttempt: 2, random: 1) == 4.8)
        #expect(policy.delay(afterAttempt: 5, random: 1) == 10)
    }

    @Test func aRetryComesNoSoonerThanRetryAfterAndNeverPastTheGiveUpTime() {
        let policy = RetryPolicy(maxAttempts: 6, initialBackoff: 2, maxBackoff: 10, giveUpAfter: 600, jitter: 0)
        let queued = Date(timeIntervalSince1970: 1_000_000)
        #expect(
            policy.decide(afterAttempt: 1, queuedAt: queued, now: queued, retryAfter: 120)
                == .retry(at: queued.addingTimeInterval(120)))
        #expect(
            policy.decide(afterAttempt: 1, queuedAt: queued, now: queued, retryAfter: nil)
                == .retry(at: queued.addingTimeInterval(2)))
        guard case .giveUp(let reason) = policy.decide(afterAttempt: 1, queuedAt: queued, now: queued, retryAfter: 900)
        else {
            Issue.record("a Retry-After past give_up_after must give up")
            return
        }
        #expect(reason.contains("give_up_after") && reason.contains("15 min"), "\(reason)")
        guard case .giveUp(let last) = policy.decide(afterAttempt: 6, queuedAt: queued, now: queued, retryAfter: nil)
        else {
            Issue.record("the last attempt must give up")
            return
        }
        #expect(last == "no delivery after 6 attempts (max_attempts)")
    }

    @Test func drillsAndGiveUpAfterAreValidatedWithTheirPosition() {
        let cases = [
            ("notifiers:\n  - {type: slack, url_env: HOOK, drills: sometimes}\n", "`drills` must be true or false"),
            ("retry:\n  give_up_after: soon\n", "`give_up_after` must be a duration like 5s, 2m or 1h"),
        ]
        for (yaml, message) in cases {
            do {
                _ = try NotifierConfiguration(yaml: yaml, path: "n.yaml")
                Issue.record("\(yaml) must be refused")
            } catch let error as ConfigurationError {
                #expect(error.summary == message)
                #expect(error.location?.file == "n.yaml" && error.location?.line == 2, "\(error)")
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }

    @Test func drillsGoOnlyToChannelsThatTakeThem() throws {
        let configuration = try NotifierConfiguration(
            yaml: """
                notifiers:
                  - {type: slack, name: chat, url_env: HOOK}
                  - {type: pagerduty, name: pd, routing_key_env: PD_KEY, drills: true}
                  - {type: exec, name: mail, command: [cat], drills: false}
                """, path: "n.yaml")
        let channels = EscalationChannels(notifiers: configuration.makeNotifiers(environment: [:]))
        let real = EscalationNotification(
            kind: .escalation, incidentID: 1, title: "t", runbook: "r", severity: .p0, isDrill: false,
            occurredAt: Date(), message: "m")
        var drill = real
        drill.isDrill = true
        #expect(channels.channels(for: real) == ["chat", "pd", "mail"])
        #expect(channels.channels(for: drill) == ["pd"])
    }
}
