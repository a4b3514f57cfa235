import Foundation

/// How a drill was set up, recorded in its `incident.declared` event (`drill_setup`) so that `runbook resume` runs
/// it the same way after a quit or a crash: on the same drill clock (speed and origin, so timers keep their
/// remaining time), against the same simulated cluster, with the scenario's remaining injects.
public struct DrillSetup: Sendable, Hashable {
    /// Drill seconds per real second.
    public var speed: Double
    /// The real instant the drill clock started.
    public var clockOrigin: Date
    /// The simulator scenario, when commands ran against the simulator.
    public var simulation: String?
    /// The simulator's state directory (what the responder changed in the simulated cluster).
    public var simulationState: String?
    /// The scenario file, for its injects.
    public var scenarioPath: String?
    /// Where the drill's commands ran: `isolatedDescription` (a network namespace of their own) or why not.
    public var isolation: String?

    /// `isolation` of a simulated drill whose commands are sealed off the network.
    public static let isolatedDescription = "network namespace"
    /// `isolation` of a simulated drill run with `--no-isolation`.
    public static let notIsolatedDescription = "none (--no-isolation)"
    /// `isolation` of a drill against the real environment.
    public static let realTargetDescription = "none (not simulated)"

    /// Creates a setup.
    public init(
        speed: Double, clockOrigin: Date, simulation: String? = nil, simulationState: String? = nil,
        scenarioPath: String? = nil, isolation: String? = nil
    ) {
        self.isolation = isolation
        self.speed = speed
        self.clockOrigin = clockOrigin
        self.simulation = simulation
        self.simulationState = simulationState
        self.scenarioPath = scenarioPath
    }

    /// Reads the `drill_setup` payload; `nil` when absent or without a usable speed.
    public init?(payload: JSONValue?) {
        guard let payload, let speed = payload["speed"]?.doubleValue, speed > 0,
            let origin = payload["clock_origin_ms"]?.doubleValue
        else { return nil }
        self.init(
            speed: speed, clockOrigin: Date(timeIntervalSince1970: origin / 1000),
            simulation: payload["simulation"]?.stringValue, simulationState: payload["simulation_state"]?.stringValue,
            scenarioPath: payload["scenario"]?.stringValue, isolation: payload["isolation"]?.stringValue)
    }

    /// The `drill_setup` payload.
    public var payload: JSONValue {
        var object: [String: JSONValue] = [
            "speed": .double(speed), "clock_origin_ms": .double(clockOrigin.timeIntervalSince1970 * 1000),
        ]
        if let simulation { object["simulation"] = .string(simulation) }
        if let simulationState { object["simulation_state"] = .string(simulationState) }
        if let scenarioPath { object["scenario"] = .string(scenarioPath) }
        if let isolation { object["isolation"] = .string(isolation) }
        return .object(object)
    }

    /// Whether a resumed drill's commands run sealed off the network: a simulated drill, unless it was started with
    /// `--no-isolation` (a drill recorded before isolation existed is sealed on resume).
    public var isIsolated: Bool {
        simulation != nil && isolation != Self.notIsolatedDescription
    }

    /// The drill clock, continuing exactly where the first process's clock was.
    public var clock: ScaledClock { ScaledClock(speed: speed, origin: clockOrigin) }

    /// The setup recorded for `incidentID` in `store`, if it is a drill that recorded one.
    public static func recorded(incidentID: Int64, in store: any TranscriptStore) throws -> DrillSetup? {
        guard let declared = try store.events(incidentID: incidentID).first, declared.type == .incidentDeclared
        else { return nil }
        return DrillSetup(payload: declared.payload["drill_setup"])
    }
}
