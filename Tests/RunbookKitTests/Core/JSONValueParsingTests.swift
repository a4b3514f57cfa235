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

    @Test func escapesAndWhitespaceAreRead() throws {
        let text = #" { "a" : [ 1 , 2 , 3.5 , "\u00e9\ud83d\ude92\/\b\f\n\r\t\"\\" ] , "b" : { } } "#
        #expect(try JSONValue(parsing: text) == ["a": [1, 2, 3.5, "é🚒/\u{08}\u{0C}\n\r\t\"\\"], "b": [:]])
    }

    /// The canonical text is what `JSONEncoder` (sorted keys, slashes as they are) wrote before it was written by
    /// hand: stored payloads and policy snapshots keep their form.
    @Test func canonicalTextIsCompactSortedAndMinimallyEscaped() {
        let value: JSONValue = [
            "text": "say \"hi\" \\ to /tmp\n\ttab \u{01}\u{08}\u{0C}\r\u{7F} é 🚒", "n": 2.5, "i": -3, "big": 1e20,
            "whole": 4.0, "list": [true, false, nil, [], [:]], "B": "upper",
        ]
        #expect(
            value.canonicalString
                == #"{"B":"upper","big":1e+20,"i":-3,"list":[true,false,null,[],{}],"n":2.5,"#
                + #""text":"say \"hi\" \\ to /tmp\n\ttab \u0001\b\f\r\#u{7F} é 🚒","whole":4}"#)
        #expect(Data(value.canonicalString.utf8) == value.canonicalData())
    }

    @Test func wholeNumbersWrittenWithAFractionOrExponentAreIntegers() throws {
        #expect(try JSONValue(parsing: "[2.0, 3.5e2, 1e300]") == [2, 350, .double(1e300)])
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "tru", "\"open", "1 2", "{\"a\":1,}", "\"tab\tin\"", "nan"])
    func malformedTextIsRejectedWithItsOffset(text: String) {
        #expect(throws: JSONValue.ParseError.self) { try JSONValue(parsing: text) }
    }
}
