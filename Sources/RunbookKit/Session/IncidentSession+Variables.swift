import Foundation

extension IncidentSession {
    /// The value of a variable as commands see it: `ENVIRONMENT`, then incident variables (secrets entered in
    /// this process included).
    public func value(of name: String) -> String? {
        if name == "ENVIRONMENT" { return state.environment }
        return secretValues[name] ?? state.values[name]
    }

    /// The declaration of `name` in the open runbooks, the current one first.
    public func variableSpec(named name: String) -> VariableSpec? {
        for frame in state.frames.reversed() {
            if let spec = frame.runbook.variable(named: name) { return spec }
        }
        return nil
    }

    /// Whether `name` is a secret variable (declared secret, or recorded as one).
    public func isSecret(_ name: String) -> Bool {
        variableSpec(named: name)?.secret == true || state.secretNames.contains(name)
    }

    /// Secret variables that were set before a resume and must be asked again.
    public var secretsToAskAgain: [String] {
        state.secretNames.subtracting(secretValues.keys).sorted()
    }

    /// Every variable of the open runbooks and every variable set, with values (secrets only in memory).
    public var variables: [StepView.Variable] {
        var names: [String] = ["ENVIRONMENT"]
        for frame in state.frames {
            for spec in frame.runbook.variables where !names.contains(spec.name) { names.append(spec.name) }
        }
        for name in (Set(state.values.keys).union(state.secretNames)).sorted() where !names.contains(name) {
            names.append(name)
        }
        return names.map {
            StepView.Variable(
                name: $0, value: value(of: $0), isSecret: isSecret($0), isExported: state.exportedNames.contains($0))
        }
    }

    /// The variables `command` refers to, in order of first use.
    public func variableNames(in command: String) -> [String] {
        VariableReferences.names(in: command).filter { !assigned(in: command).contains($0) }
    }

    /// The variables `command` uses that have no value yet, in order of use: the REPL asks for these before it
    /// shows the command. `ENVIRONMENT` is always set. Besides the declared ones:
    /// - a secret a step exported before a resume, whose value was never recorded;
    /// - a name no runbook declares, that the command reads without a fallback of its own (`$NS`, not
    ///   `${NS:-default}`), and that neither the incident, runbook's own environment nor the shell has: a runbook
    ///   someone else wrote (`oc -n "$NS" delete pod …`) must not run with it empty. Lint warns about it too.
    public func missingVariables(in command: String) -> [VariableSpec] {
        let withoutFallback = Set(VariableReferences.namesWithoutFallback(in: command))
        return variableNames(in: command).compactMap { name in
            guard name != "ENVIRONMENT", value(of: name) == nil else { return nil }
            if let spec = variableSpec(named: name) { return spec }
            if state.exportedNames.contains(name), state.secretNames.contains(name) {
                return VariableSpec(
                    name: name, prompt: "\(name) was exported by a step before the resume; secrets are never stored",
                    secret: true)
            }
            guard withoutFallback.contains(name), dependencies.baseEnvironment[name] == nil,
                !state.unsetNames.contains(name), !Linter.ordinaryEnvironmentVariables.contains(name),
                !VariableReferences.isReserved(name)
            else { return nil }
            return VariableSpec(
                name: name, prompt: "\(name) (not declared by the runbook; this step reads it)",
                secret: VariableSpec.nameLooksSecret(name))
        }
    }

    /// The declared variables the current step needs and that have no value yet.
    public var missingVariablesForCurrentStep: [VariableSpec] {
        guard case .step(let step)? = currentItem else { return [] }
        return missingVariables(in: currentCommand ?? step.command)
    }

    /// The default offered for `spec`: the per-environment default, else the plain one, with `${…}` expanded
    /// from the incident's values and then the base environment.
    public func suggestedValue(for spec: VariableSpec) -> String? {
        guard let raw = spec.defaultValue(in: state.environment) else { return nil }
        var values = dependencies.baseEnvironment
        values.merge(state.values) { _, incident in incident }
        values.merge(secretValues) { _, secret in secret }
        values["ENVIRONMENT"] = state.environment
        return VariableResolver.expand(raw, values: values)
    }

    /// The default offered when the REPL asks for `spec`, and where it comes from: the label of the incident's most
    /// recent firing Alertmanager alert that names the variable (`AlertLabelDefaults`: a declared, non-secret
    /// variable only, and a value its declaration accepts), else `suggestedValue(for:)`. A value already set is
    /// never asked for, so it wins over both. The alert notes are read at each question: an alert that fired or
    /// resolved since the session began counts.
    public func offeredDefault(for spec: VariableSpec) throws -> OfferedDefault? {
        if let declared = variableSpec(named: spec.name), !isSecret(spec.name),
            let offer = try AlertLabelDefaults.read(incidentID: incident.id, from: dependencies.store).offer(
                for: declared)
        {
            return OfferedDefault(value: offer.value, alertLabel: offer.label)
        }
        return suggestedValue(for: spec).map { OfferedDefault(value: $0, alertLabel: nil) }
    }

    /// Names the command sets itself (`for pod in …`, `x=…`, `read x`): never asked for.
    private func assigned(in command: String) -> Set<String> {
        VariableReferences.assignedNames(in: command)
    }

    /// Checks `value` against the declaration's choices and pattern; returns it when acceptable.
    @discardableResult
    public func validate(_ value: String, for spec: VariableSpec) throws -> String {
        if let reason = spec.problem(with: value) {
            throw SessionError.invalidValue(name: spec.name, reason: reason)
        }
        return value
    }

    /// Sets a variable and records `variable.set`: secrets as `{name, secret: true}` only, their value kept in
    /// memory and registered with the redactor. Declared variables are validated first, except captured output.
    public func setVariable(_ name: String, to value: String, source: String = "responder") throws {
        try setVariable(name, to: value, source: source, secret: false, stepID: currentItem?.id)
    }

    /// `setVariable(_:to:source:)`, recording the value as a secret also when `secret` is true (an export whose
    /// name or value looks secret), about `stepID` (`nil` for an ad-hoc command). Values a command produced
    /// (`capture`, `export`) are not validated.
    func setVariable(_ name: String, to value: String, source: String, secret: Bool, stepID: String?) throws {
        try ensureOpen()
        guard VariableReferences.isValidName(name) else {
            throw SessionError.invalidArgument("'\(name)' is not a variable name (letters, digits and _)")
        }
        if name == "ENVIRONMENT" {
            throw SessionError.invalidArgument("ENVIRONMENT is the incident's environment and cannot be changed")
        }
        if VariableReferences.isReserved(name) {
            throw SessionError.invalidArgument(VariableReferences.reservedReason(name))
        }
        // A captured value is what the command printed; it is shown, and the responder can override it.
        if source != "capture", source != "export", let spec = variableSpec(named: name) {
            try validate(value, for: spec)
        }
        var payload: [String: JSONValue] = ["name": .string(name), "source": .string(source)]
        // A name nothing declares is a secret when it looks like one (`API_TOKEN`), as an export's is.
        let undeclaredSecret = variableSpec(named: name) == nil && VariableSpec.nameLooksSecret(name)
        if secret || undeclaredSecret || isSecret(name) {
            secretValues[name] = value
            dependencies.redactor?.registerSecret(value, name: name)
            payload["secret"] = true
        } else {
            payload["value"] = .string(value)
        }
        try record(EventDraft(.variableSet, stepID: stepID, payload: .object(payload)))
    }

    /// The environment a command's child process gets: the base environment, `ENVIRONMENT`, and every incident
    /// variable. This is the only way values reach commands; the command text is never rewritten.
    public func childEnvironment() -> [String: String] {
        var environment = dependencies.baseEnvironment
        for name in state.unsetNames { environment[name] = nil }
        environment["ENVIRONMENT"] = state.environment
        for (name, value) in state.values { environment[name] = value }
        for (name, value) in secretValues { environment[name] = value }
        return environment
    }
}

extension IncidentSession {
    /// Whether an exported `name=value` must be kept as a secret: the name is declared or recorded secret, holds
    /// one of `VariableSpec.secretNameParts`, or the redactor would change the value or the assignment.
    func exportLooksSecret(_ name: String, value: String) -> Bool {
        if isSecret(name) || VariableSpec.nameLooksSecret(name) { return true }
        guard let redactor = dependencies.redactor, !value.isEmpty else { return false }
        return redactor.redact(value) != value || redactor.redact("\(name)=\(value)") != "\(name)=\(value)"
    }

    /// Records what a step's shell exported, so later steps get it as environment (never as command text):
    /// `variable.set` with source `export` for each new or changed variable (a secret-looking one as a secret),
    /// and with `unset: true` for each one it removed. Names that are not variable names, `ENVIRONMENT` and the
    /// reserved names (`PATH`, `LD_*`, …) are left out and returned, so the screen can say so.
    func recordExports(_ changes: EnvironmentChanges, stepID: String?) throws -> (
        exported: [CapturedValue], ignored: [String]
    ) {
        var exported: [CapturedValue] = []
        var ignored: [String] = []
        func acceptable(_ name: String) -> Bool {
            VariableReferences.isValidName(name) && name != "ENVIRONMENT" && !VariableReferences.isReserved(name)
        }
        for name in changes.exported.keys.sorted() {
            guard acceptable(name) else {
                ignored.append(name)
                continue
            }
            let value = changes.exported[name] ?? ""
            let secret = exportLooksSecret(name, value: value)
            try setVariable(name, to: value, source: "export", secret: secret, stepID: stepID)
            exported.append(CapturedValue(name: name, value: value, isSecret: secret))
        }
        for name in changes.unset {
            guard acceptable(name) else {
                ignored.append(name)
                continue
            }
            secretValues[name] = nil
            try record(
                EventDraft(
                    .variableSet, stepID: stepID,
                    payload: ["name": .string(name), "source": "export", "unset": true]))
        }
        return (exported, ignored)
    }
}
