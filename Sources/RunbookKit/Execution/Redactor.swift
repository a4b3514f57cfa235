import Foundation

/// Replaces secrets in output with `[REDACTED:NAME]` before it is stored: the values of secret variables,
/// registered as they become known, and the shapes of well-known credentials (`RedactionPattern`).
///
/// Bulk output is cheap to scan: one pass looks up every pair of adjacent bytes in a 64 Ki table of the
/// first two bytes of secret values and pattern triggers, and only output that contains a trigger is
/// searched with the (slower) regular expressions. Thread-safe: secrets may be added while commands run.
public final class Redactor: TextRedacting, @unchecked Sendable {
    /// A stretch of output to replace.
    public struct Region: Sendable, Hashable {
        /// Bytes to replace with the marker.
        public var range: Range<Int>
        /// The whole match the replacement came from; streaming uses it to keep a match in one piece.
        public var match: Range<Int>
        /// The secret's or pattern's name.
        public var name: String
    }

    /// Bytes of escape sequences (colours) that a secret or a pattern match may hold inside it and still be
    /// redacted when it arrives split across reads: streaming holds back this much more.
    public static let escapeAllowance = 256

    /// Secrets shorter than this are not redacted: a one-byte value would blank out ordinary output.
    public static let minimumSecretLength = 2

    private let lock = NSLock()
    private var rules: Rules

    /// A redactor with `patterns` (the defaults unless told otherwise) and no secrets yet.
    public init(patterns: [RedactionPattern] = RedactionPattern.defaults) {
        rules = Rules(secrets: [], patterns: patterns)
    }

    /// Registers a secret value; from now on it is replaced by `[REDACTED:name]`.
    public func addSecret(name: String, value: String) {
        let bytes = Array(value.utf8)
        guard bytes.count >= Self.minimumSecretLength else { return }
        lock.withLock {
            guard !rules.secrets.contains(where: { $0.bytes == bytes }) else { return }
            rules = Rules(secrets: rules.secrets + [(name, bytes)], patterns: rules.patterns)
        }
    }

    /// How many trailing bytes a streaming redactor must hold back so nothing can be split unseen.
    public var holdback: Int { lock.withLock { rules.holdback } }

    /// `text` with every secret replaced.
    public func redact(_ text: String) -> String {
        String(decoding: redact(Data(text.utf8)), as: UTF8.self)
    }

    /// `data` with every secret replaced.
    public func redact(_ data: Data) -> Data {
        let regions = data.withUnsafeBytes { self.regions(in: $0) }
        return Self.apply(regions, to: data, range: 0..<data.count)
    }

    /// Every region to replace in `bytes`, sorted by start, overlaps merged.
    public func regions(in bytes: UnsafeRawBufferPointer) -> [Region] {
        scan(bytes).regions
    }

    /// What one scan found: the regions to replace, every pattern match (also those with nothing to replace
    /// yet, so that a streaming redactor never cuts through a match), and where the visible bytes are.
    struct Scan {
        var regions: [Region]
        var matches: [Range<Int>]
        /// The matches of patterns that may go on past a line break (`RedactionPattern.spansLines`).
        var lineSpanningMatches: [Range<Int>]
        /// The offset of each visible byte when the bytes hold escape sequences or control characters (`nil`:
        /// every byte is visible), so that a streaming redactor never cuts inside an escape sequence.
        var visibleOffsets: [Int]?
    }

    /// Where an unfinished secret of several lines starts at the end of `bytes`: a proper prefix of a registered
    /// secret value that ends there, at one of the value's line breaks (its next line has not arrived yet). A
    /// streaming redactor that releases whole lines early (`StreamingRedactor.releaseCompleteLines`) holds it
    /// back. Matched on the visible text, as `scan` matches; `nil` when there is none.
    func unfinishedSecretStart(_ bytes: UnsafeRawBufferPointer) -> Int? {
        let secrets = lock.withLock { rules.secrets }.filter { $0.bytes.dropLast().contains(0x0A) }
        guard !secrets.isEmpty else { return nil }
        let visible = ANSIText.visibleBytesWithOffsets(bytes)
        let text = visible?.bytes ?? Array(bytes)
        var earliest: Int?
        for secret in secrets {
            for (index, byte) in secret.bytes.enumerated() where byte == 0x0A && index + 1 < secret.bytes.count {
                let prefix = secret.bytes[...index]
                guard prefix.count <= text.count, text.suffix(prefix.count).elementsEqual(prefix) else { continue }
                let start = text.count - prefix.count
                let stored = visible.map { $0.offsets[start] } ?? start
                earliest = min(earliest ?? stored, stored)
            }
        }
        return earliest
    }

    /// Secrets and patterns are matched on the visible text (escape sequences and control characters removed,
    /// `ANSIText`), so a secret split by colour codes is still found; each match is mapped back to the stored
    /// bytes from its first byte to its last, the escape sequences inside it included.
    func scan(_ bytes: UnsafeRawBufferPointer) -> Scan {
        let rules = lock.withLock { self.rules }
        guard let visible = ANSIText.visibleBytesWithOffsets(bytes) else {
            let (regions, matches, spanning) = rules.scan(bytes)
            return Scan(regions: regions, matches: matches, lineSpanningMatches: spanning, visibleOffsets: nil)
        }
        let offsets = visible.offsets
        func stored(_ range: Range<Int>) -> Range<Int> {
            guard !range.isEmpty else {
                let at = range.lowerBound < offsets.count ? offsets[range.lowerBound] : bytes.count
                return at..<at
            }
            return offsets[range.lowerBound]..<(offsets[range.upperBound - 1] + 1)
        }
        let (regions, matches, spanning) = visible.bytes.withUnsafeBytes { rules.scan($0) }
        return Scan(
            regions: regions.map { Region(range: stored($0.range), match: stored($0.match), name: $0.name) },
            matches: matches.map(stored), lineSpanningMatches: spanning.map(stored), visibleOffsets: offsets)
    }

    /// The bytes of `range` in `data` with the regions inside it replaced: a marker where a region starts, and
    /// nothing for the part of a region that began before `range` (its marker went with the earlier piece).
    static func apply(_ regions: [Region], to data: Data, range: Range<Int>) -> Data {
        // Nothing to replace (bulk output, nearly always): a slice shares the bytes instead of copying them.
        if !regions.contains(where: { $0.range.upperBound > range.lowerBound && $0.range.lowerBound < range.upperBound }
        ) {
            return data[(data.startIndex + range.lowerBound)..<(data.startIndex + range.upperBound)]
        }
        var result = Data()
        result.reserveCapacity(range.count)
        var position = range.lowerBound
        for region in regions where region.range.upperBound > range.lowerBound {
            if region.range.lowerBound >= range.upperBound { break }
            if region.range.lowerBound >= position {
                result.append(data[(data.startIndex + position)..<(data.startIndex + region.range.lowerBound)])
                result.append(contentsOf: Array("[REDACTED:\(region.name)]".utf8))
            }
            position = max(position, min(region.range.upperBound, range.upperBound))
        }
        if position < range.upperBound {
            result.append(data[(data.startIndex + position)..<(data.startIndex + range.upperBound)])
        }
        return result
    }
}

/// An immutable snapshot of what to redact, with its trigger table.
private struct Rules {
    /// Something worth a closer look where its first two bytes occur.
    enum Candidate {
        case secret(Int)
        case trigger(pattern: Int, literal: [UInt8])
    }

    let secrets: [(name: String, bytes: [UInt8])]
    let patterns: [RedactionPattern]
    /// Patterns without triggers: searched every time.
    let untriggered: [Int]
    /// 65,536 entries: index + 1 into `candidates` for each pair of bytes, 0 for nothing.
    let table: [UInt16]
    let candidates: [[Candidate]]
    let holdback: Int

    init(secrets: [(name: String, bytes: [UInt8])], patterns: [RedactionPattern]) {
        self.secrets = secrets
        self.patterns = patterns
        var lists: [[Candidate]] = []
        var table = [UInt16](repeating: 0, count: 65536)
        func add(_ key: Int, _ candidate: Candidate) {
            if table[key] == 0 {
                lists.append([])
                table[key] = UInt16(lists.count)
            }
            lists[Int(table[key]) - 1].append(candidate)
        }
        for (index, secret) in secrets.enumerated() {
            add(Int(secret.bytes[0]) << 8 | Int(secret.bytes[1]), .secret(index))
        }
        var untriggered: [Int] = []
        for (index, pattern) in patterns.enumerated() {
            let literals = pattern.triggers.map { Array($0.lowercased().utf8) }.filter { $0.count >= 2 }
            if literals.isEmpty { untriggered.append(index) }
            for literal in literals {
                for first in Self.cases(literal[0]) {
                    for second in Self.cases(literal[1]) {
                        add(Int(first) << 8 | Int(second), .trigger(pattern: index, literal: literal))
                    }
                }
            }
        }
        self.untriggered = untriggered
        self.table = table
        self.candidates = lists
        self.holdback =
            (patterns.map(\.window).max() ?? 0) + (secrets.map(\.bytes.count).max() ?? 0)
            + Redactor.escapeAllowance
    }

    static func cases(_ byte: UInt8) -> Set<UInt8> {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return [byte, byte - 32]
        default: return [byte]
        }
    }

    func scan(_ bytes: UnsafeRawBufferPointer) -> (
        regions: [Redactor.Region], matches: [Range<Int>], lineSpanning: [Range<Int>]
    ) {
        let count = bytes.count
        guard count >= 2, let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            return ([], [], [])
        }
        var found: [Redactor.Region] = []
        var matches: [Range<Int>] = []
        var lineSpanning: [Range<Int>] = []
        var triggered = [Bool](repeating: false, count: patterns.count)
        for index in untriggered { triggered[index] = true }
        table.withUnsafeBufferPointer { table in
            let table = table.baseAddress!
            // The hot loop: one table lookup per pair of bytes, four pairs per round with a single test, and
            // nothing else unless a pair is a candidate (almost never, in bulk output).
            var index = 0
            let last = count - 1
            while index + 4 <= last {
                let b0 = Int(base[index])
                let b1 = Int(base[index + 1])
                let b2 = Int(base[index + 2])
                let b3 = Int(base[index + 3])
                let b4 = Int(base[index + 4])
                if table[b0 << 8 | b1] | table[b1 << 8 | b2] | table[b2 << 8 | b3] | table[b3 << 8 | b4] != 0 {
                    for at in index..<(index + 4) {
                        let entry = table[Int(base[at]) << 8 | Int(base[at + 1])]
                        if entry != 0 { check(entry, at: at) }
                    }
                }
                index += 4
            }
            while index < last {
                let entry = table[Int(base[index]) << 8 | Int(base[index + 1])]
                if entry != 0 { check(entry, at: index) }
                index += 1
            }
        }
        /// A pair of bytes at `index` begins a secret or a pattern trigger: compare the whole literal.
        func check(_ entry: UInt16, at index: Int) {
            for candidate in candidates[Int(entry) - 1] {
                switch candidate {
                case .secret(let secretIndex):
                    let secret = secrets[secretIndex].bytes
                    if index + secret.count <= count && Self.equal(base + index, secret, caseless: false) {
                        let range = index..<(index + secret.count)
                        found.append(.init(range: range, match: range, name: secrets[secretIndex].name))
                    }
                case .trigger(let pattern, let literal):
                    if !triggered[pattern] && index + literal.count <= count
                        && Self.equal(base + index, literal, caseless: true)
                    {
                        triggered[pattern] = true
                    }
                }
            }
        }
        if triggered.contains(true) {
            // ISO-8859-1 maps each byte to one UTF-16 unit, so NSRange offsets are byte offsets.
            let units = UnsafeBufferPointer(start: base, count: count).map { UInt16($0) }
            let text = String(decoding: units, as: UTF16.self)
            let whole = NSRange(location: 0, length: count)
            for (index, pattern) in patterns.enumerated() where triggered[index] {
                for match in pattern.expression.matches(in: text, range: whole) {
                    let matchRange = match.range.location..<(match.range.location + match.range.length)
                    matches.append(matchRange)
                    if pattern.spansLines { lineSpanning.append(matchRange) }
                    if let values = pattern.values {
                        for value in values.matches(in: text, range: match.range) {
                            let secret = value.range(withName: "secret")
                            guard secret.location != NSNotFound, secret.length > 0 else { continue }
                            found.append(
                                .init(
                                    range: secret.location..<(secret.location + secret.length), match: matchRange,
                                    name: pattern.name))
                        }
                    } else {
                        var secret = NSRange(location: NSNotFound, length: 0)
                        if pattern.expression.numberOfCaptureGroups > 0 { secret = match.range(withName: "secret") }
                        let range =
                            secret.location == NSNotFound
                            ? matchRange : secret.location..<(secret.location + secret.length)
                        guard !range.isEmpty else { continue }
                        found.append(.init(range: range, match: matchRange, name: pattern.name))
                    }
                }
            }
        }
        return (Self.merge(found), matches, lineSpanning)
    }

    static func equal(_ pointer: UnsafePointer<UInt8>, _ literal: [UInt8], caseless: Bool) -> Bool {
        for (offset, expected) in literal.enumerated() {
            var byte = pointer[offset]
            if caseless && byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { byte += 32 }
            if byte != expected { return false }
        }
        return true
    }

    /// Sorted by start; overlapping regions become one, named after the first found (secrets before
    /// patterns, patterns in list order) among those starting earliest.
    static func merge(_ regions: [Redactor.Region]) -> [Redactor.Region] {
        var merged: [Redactor.Region] = []
        let ordered = regions.enumerated().sorted {
            ($0.element.range.lowerBound, $0.offset) < ($1.element.range.lowerBound, $1.offset)
        }
        for region in ordered.map(\.element) {
            if var last = merged.last, region.range.lowerBound < last.range.upperBound {
                last.range = last.range.lowerBound..<max(last.range.upperBound, region.range.upperBound)
                last.match =
                    min(
                        last.match.lowerBound, region.match.lowerBound)..<max(
                        last.match.upperBound, region.match.upperBound)
                merged[merged.count - 1] = last
            } else {
                merged.append(region)
            }
        }
        return merged
    }
}
