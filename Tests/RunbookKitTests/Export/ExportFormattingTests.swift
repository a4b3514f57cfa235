import Foundation
import RunbookTestSupport
import Testing

@testable import RunbookKit

/// The hand-written time and number formatting of the exporters gives exactly what `String(format:)` gave.
@Suite struct ExportFormattingTests {
    /// Deterministic pseudo-random numbers (a linear congruential generator), so a failure can be replayed.
    private struct Numbers {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        mutating func next(below limit: UInt64) -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (state >> 11) % limit
        }
    }

    @Test func utcAndISO8601MatchTheFormatStrings() {
        var numbers = Numbers()
        // From 1969 (negative seconds) to 2200, with milliseconds.
        for _ in 0..<5_000 {
            let millis = Int64(numbers.next(below: 7_300_000_000_000)) - 100_000_000_000
            let date = Date(timeIntervalSince1970: Double(millis) / 1000)
            // The UTC column shows the nearest second (as T+ and the metrics round); ISO 8601 keeps milliseconds.
            func text(_ seconds: Int64) -> String {
                let parts = Self.utcCalendar.dateComponents(
                    [.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: Double(seconds)))
                return String(
                    format: "%04d-%02d-%02d %02d:%02d:%02dZ", parts.year!, parts.month!, parts.day!, parts.hour!,
                    parts.minute!, parts.second!)
            }
            #expect(ExportFormatting.utc(date) == text(Int64(date.timeIntervalSince1970.rounded())))
            let ms = ((millis % 1000) + 1000) % 1000
            let iso = text(Int64(date.timeIntervalSince1970.rounded(.down))).replacingOccurrences(of: " ", with: "T")
                .replacingOccurrences(of: "Z", with: String(format: ".%03lldZ", ms))
            #expect(ExportFormatting.iso8601(date) == iso)
        }
    }

    private static let utcCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    @Test func durationsAndOffsetsMatchTheFormatStrings() {
        var numbers = Numbers()
        let start = Date(timeIntervalSince1970: 1_767_225_600)
        for _ in 0..<5_000 {
            // Whole and fractional seconds, from under a second to several days.
            let scale = [1.0, 10, 100, 10_000, 1_000_000][Int(numbers.next(below: 5))]
            let interval = Double(numbers.next(below: 1_000_000)) / 1_000_000 * scale
            for value in [interval, interval.rounded()] {
                #expect(ExportFormatting.duration(value) == Self.reference(duration: value))
                // T+ is the difference of the two instants each rounded to the second (as the UTC column shows them).
                let offset = Int(start.addingTimeInterval(value).timeIntervalSince1970.rounded()) - 1_767_225_600
                #expect(
                    ExportFormatting.sinceStart(start.addingTimeInterval(value), start: start)
                        == "T+" + String(format: "%02d:%02d", offset / 60, offset % 60))
                #expect(ExportFormatting.fixed(value, decimals: 6) == String(format: "%.6f", value))
            }
        }
        #expect(ExportFormatting.sinceStart(start.addingTimeInterval(-65), start: start) == "T-01:05")
        // Exact halves (ties to even, as printf rounds) and values just beside them.
        for value in [0.125, 0.375, 2.5e-7, 1.0000005, 0.0000015, 1e13 + 0.5, 12_345.678_901_5] {
            #expect(ExportFormatting.fixed(value, decimals: 2) == String(format: "%.2f", value))
            #expect(ExportFormatting.fixed(value, decimals: 6) == String(format: "%.6f", value))
            #expect(ExportFormatting.fixed(value.nextUp, decimals: 6) == String(format: "%.6f", value.nextUp))
        }
        // Millisecond times as replays have them.
        for millis in stride(from: 0, to: 3_000_000, by: 997) {
            let value = Double(millis) / 1000 + 0.03
            #expect(ExportFormatting.fixed(value, decimals: 6) == String(format: "%.6f", value))
        }
    }

    /// `appendFixed` (replays write a time per frame with it) gives the bytes `fixed` gives, on both of its paths.
    @Test func appendFixedWritesWhatFixedWrites() {
        var numbers = Numbers()
        var values = [0, 0.000_001, 0.000_000_4, 9.999_999_5, 1e11, 1e12, 1e13 + 0.5, 0.125, 2.5e-7, 12.03]
        for _ in 0..<5_000 {
            values.append(Double(numbers.next(below: 1_000_000_000)) / Double(1 + numbers.next(below: 100_000)))
        }
        for value in values {
            for decimals: Int32 in [0, 2, 6] {
                var bytes: [UInt8] = Array("x".utf8)
                ExportFormatting.appendFixed(value, decimals: decimals, to: &bytes)
                #expect(
                    String(decoding: bytes, as: UTF8.self) == "x" + ExportFormatting.fixed(value, decimals: decimals))
            }
        }
    }

    /// The wording as it was written with `String(format:)`.
    private static func reference(duration interval: TimeInterval) -> String {
        if interval < 10, interval.rounded() != interval {
            return String(format: "%.2fs", max(0, interval))
        }
        let seconds = Int(max(0, interval).rounded())
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return String(format: "%dm %02ds", seconds / 60, seconds % 60) }
        if seconds < 86_400 {
            return String(format: "%dh %02dm %02ds", seconds / 3600, (seconds % 3600) / 60, seconds % 60)
        }
        return String(format: "%dd %02dh %02dm", seconds / 86_400, (seconds % 86_400) / 3600, (seconds % 3600) / 60)
    }

    @Test func jsonRenderIsTheDocumentWithEventsFirst() throws {
        for resolved in [true, false] {
            let store = InMemoryTranscriptStore()
            let id = try SampleIncident.record(into: store, resolved: resolved)
            var transcript = try IncidentTranscript.load(incidentID: id, from: store)
            transcript.timers = [
                EscalationTimer(
                    incidentID: id, kind: .response, deadline: Date(timeIntervalSince1970: 1_767_225_660),
                    generation: 1, repeat: 0, status: .fired)
            ]
            let rendered = try JSONExporter().render(transcript)
            // The same document: parsed and written again with sorted keys, it is byte for byte the document.
            var again = ExportWriter()
            again.write(try JSONValue(parsing: String(decoding: rendered, as: UTF8.self)))
            var expected = ExportWriter()
            expected.write(try JSONExporter().document(transcript))
            #expect(again.bytes == expected.bytes)
            // The top-level members (the only lines indented by two spaces that open a key) in the documented order.
            let topLevel = String(decoding: rendered, as: UTF8.self).split(separator: "\n")
                .filter { $0.hasPrefix("  \"") }
                .map { String($0.dropFirst(3).prefix { $0 != "\"" }) }
            #expect(topLevel == JSONExporter.memberOrder)
            #expect(rendered.last == UInt8(ascii: "\n"))
        }
    }

    /// Every string, whatever bytes it holds, is written as a JSON string that reads back as the same string.
    @Test func jsonStringsRoundTripWithEveryEscape() throws {
        var samples = [
            "", "plain", "quote \" back \\ slash", "\u{1B}[31mred\u{1B}[0m\r\n", "tab\tnul\u{0}del\u{7F}", "é → 🚨",
        ]
        var numbers = Numbers()
        for _ in 0..<500 {
            let length = Int(numbers.next(below: 40))
            let scalars = (0..<length).map { _ -> Character in
                let pick = numbers.next(below: 10)
                let value = pick < 4 ? numbers.next(below: 0x80) : (pick < 8 ? numbers.next(below: 0x20) : 0xE9)
                return Character(Unicode.Scalar(UInt32(value))!)
            }
            samples.append(String(scalars))
        }
        // One byte to escape (or DEL, which is not) at each place of a clean run (the scan goes eight bytes at a
        // time), next to UTF-8.
        for special in [0x00, 0x1F, 0x22, 0x5C, 0x7F] as [UInt8] {
            for place in 0..<24 {
                var bytes = Array("aé\u{1F6A8}bcdefghijklmnopqrst".utf8)
                bytes.insert(special, at: place)
                samples.append(String(decoding: bytes, as: UTF8.self))
            }
        }
        for text in samples {
            var writer = ExportWriter()
            writer.writeString(text)
            let decoded = try JSONDecoder().decode(String.self, from: Data(writer.bytes))
            #expect(decoded == text, "\(text.debugDescription)")
            #expect(!writer.bytes.dropFirst().dropLast().contains { $0 < 0x20 })
        }
    }
}
