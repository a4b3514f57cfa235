/// What the responder asked for when declaring an incident.
public struct IncidentStart: Sendable, Hashable {
    /// The runbook to open first (`triage` by default on the command line).
    public var runbookID: String
    /// The environment; must be one the runbook allows.
    public var environment: String
    /// The severity; `nil` takes the runbook's front matter, else P2.
    public var severity: Severity?
    /// The title; `nil` takes the runbook's title.
    public var title: String?
    /// A drill rather than a real incident.
    public var isDrill: Bool
    public var host: String
    public var user: String
    /// The escalation policy row in force (the escalation issue fills it).
    public var policySnapshot: JSONValue?
    /// The escalation policy to snapshot and arm timers from, when the session has an escalation scheduler;
    /// `nil` declares the incident without timers.
    public var escalationPolicy: EscalationPolicy?
    /// How a drill is set up (clock, simulator, scenario), recorded for `resume`.
    public var drillSetup: DrillSetup?

    /// Creates a start request.
    public init(
        runbookID: String, environment: String, severity: Severity? = nil, title: String? = nil,
        isDrill: Bool = false, host: String, user: String, policySnapshot: JSONValue? = nil,
        escalationPolicy: EscalationPolicy? = nil, drillSetup: DrillSetup? = nil
    ) {
        self.drillSetup = drillSetup
        self.runbookID = runbookID
        self.environment = EnvironmentName.trimmed(environment)
        self.severity = severity
        self.title = title
        self.isDrill = isDrill
        self.host = host
        self.user = user
        self.policySnapshot = policySnapshot
        self.escalationPolicy = escalationPolicy
    }
}
