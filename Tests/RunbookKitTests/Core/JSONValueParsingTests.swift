import Foundation
import RunbookKit
import Testing

@Suite struct JSONValueParsingTests {
    static let samples: [JSONValue] = [
        [:], [], "", 0, -1, 9_007_199_254_740_993, 2.5, -0.125, 1e-7, true, false, nil,
        ["text": "say \"hi\" \\ to /tmp\n\ttab \u{01} é ✓ 🚒"],
        ["nested": ["a": [1, 2, ["b": nil]], "c": ""], "z": [[], [:]]],
    ]

    @Test(arguments: samples)
    func canonicalTextParsesBackToTheSameValue(value: JSONValue) throws {
        #expect(try JSONValue(parsing: value.canonicalString) == value)
    }

    @Test func parsingAgreesWithJSONDecoderOnEscapesAndWhitespace() throws {
        let text = #" { "a" : [ 1 , 2 , 3.5 , "\u00e9\ud83d\ude92\/" ] , "b" : { } } "#
        let decoded = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(try JSONValue(parsing: text) == decoded)
        #expect(try JSONValue(parsing: text)["a"] == [1, 2, 3.5, "é🚒/"])
    }

    @Test func wholeNumbersWrittenWithAFractionOrExponentAreIntegers() throws {
        #expect(try JSONValue(parsing: "[2.0, 3.5e2, 1e300]") == [2, 350, .double(1e300)])
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "tru", "\"open", "1 2", "{\"a\":1,}", "\"tab\tin\"", "nan"])
    func malformedTextIsRejectedWithItsOffset(text: String) {
        #expect(throws: JSONValue.ParseError.self) { try JSONValue(parsing: text) }
    }
}
