import Foundation
import RunbookTestSupport
import Testing

@testable import RunbookKit

@Suite struct ClockTests {
    @Test func scaledClockRunsFasterFromItsOrigin() {
        let base = TestClock()
        let drill = ScaledClock(speed: 60, base: base)
        let start = drill.now()
        base.advance(by: 15)
        #expect(drill.now().timeIntervalSince(start) == 900)
        #expect(drill.realInterval(forDrill: 900) == 15)
    }

    @Test func canonicalJSONSortsKeys() {
        let value: JSONValue = ["b": 1, "a": ["z": true, "y": nil]]
        #expect(value.canonicalString == #"{"a":{"y":null,"z":true},"b":1}"#)
    }
}
